//! Base64 (policies) and hex (signatures), strict and allocation-light.
//!
//! Emitting: URL-safe alphabet with `=` padding, as Filestack's SDKs do. Accepting: the
//! URL-safe or the standard alphabet (not a mix of both in one string), padded correctly
//! or not at all, with zero trailing bits. The signature covers the string as received,
//! so accepting both alphabets never lets one signature cover two policies.

const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Table entry for a byte that is not base64.
const INVALID: u8 = 0xff;
/// Flag bit marking `+` and `/` (standard alphabet only).
const STANDARD: u8 = 0x40;
/// Flag bit marking `-` and `_` (URL-safe alphabet only).
const URL: u8 = 0x80;

const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 62 {
        table[URL_SAFE[i] as usize] = i as u8;
        i += 1;
    }
    table[b'+' as usize] = 62 | STANDARD;
    table[b'/' as usize] = 63 | STANDARD;
    table[b'-' as usize] = 62 | URL;
    table[b'_' as usize] = 63 | URL;
    table
};

/// Appends the URL-safe, padded base64 of `input` to `out`.
pub(crate) fn base64_encode(input: &[u8], out: &mut String) {
    let mut bytes = Vec::with_capacity(input.len().div_ceil(3) * 4);
    base64_encode_bytes(input, &mut bytes);
    push_ascii(out, &bytes);
}

/// Appends the URL-safe, padded base64 of `input` to `out`, as ASCII bytes.
pub(crate) fn base64_encode_bytes(input: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + input.len().div_ceil(3) * 4, b'=');
    let dst = &mut out[start..];
    let (whole, rest) = input.as_chunks::<3>();
    let (quads, _) = dst.as_chunks_mut::<4>();
    for (q, c) in quads.iter_mut().zip(whole) {
        let n = (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]);
        *q = [
            URL_SAFE[((n >> 18) & 63) as usize],
            URL_SAFE[((n >> 12) & 63) as usize],
            URL_SAFE[((n >> 6) & 63) as usize],
            URL_SAFE[(n & 63) as usize],
        ];
    }
    if let Some(last) = quads.last_mut().filter(|_| !rest.is_empty()) {
        let n = rest
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for (i, out) in last.iter_mut().enumerate().take(rest.len() + 1) {
            *out = URL_SAFE[((n >> (18 - 6 * i)) & 63) as usize];
        }
    }
}

/// Appends bytes known to be ASCII (checked, never assumed).
fn push_ascii(out: &mut String, bytes: &[u8]) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        out.push_str(text);
    }
}

/// Decodes base64 in either alphabet, padded or not. The error says why, for `malformed`.
pub(crate) fn base64_decode(input: &[u8]) -> Result<Vec<u8>, &'static str> {
    if input.is_empty() {
        return Err("the policy is empty");
    }
    let body = match input {
        [rest @ .., b'=', b'='] => {
            if !input.len().is_multiple_of(4) || rest.len() % 4 != 2 {
                return Err("the policy's base64 padding is wrong");
            }
            rest
        }
        [rest @ .., b'='] => {
            if !input.len().is_multiple_of(4) || rest.len() % 4 != 3 {
                return Err("the policy's base64 padding is wrong");
            }
            rest
        }
        _ => input,
    };
    if body.len() % 4 == 1 {
        return Err("the policy's base64 is truncated");
    }
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 2);
    // Table values OR-ed together: INVALID (0xff) marks a bad byte (or both alphabets in
    // one group); the flag bits record which alphabet was used.
    let mut seen = 0u8;
    let mut chunks = body.chunks_exact(4);
    for chunk in &mut chunks {
        let [a, b, c, d] = [chunk[0], chunk[1], chunk[2], chunk[3]].map(|x| DECODE[x as usize]);
        let all = a | b | c | d;
        if all == INVALID {
            return Err(invalid_or_mixed(chunk));
        }
        seen |= all;
        let n = (u32::from(a & 63) << 18)
            | (u32::from(b & 63) << 12)
            | (u32::from(c & 63) << 6)
            | u32::from(d & 63);
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let values: Vec<u8> = rest.iter().map(|&x| DECODE[x as usize]).collect();
        let all = values.iter().fold(0, |acc, v| acc | v);
        if all == INVALID {
            return Err(invalid_or_mixed(rest));
        }
        seen |= all;
        let n = values
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, v)| n | (u32::from(v & 63) << (18 - 6 * i)));
        if rest.len() == 2 {
            if n & 0xffff != 0 {
                return Err("the policy's base64 has non-zero trailing bits");
            }
            out.push((n >> 16) as u8);
        } else {
            if n & 0xff != 0 {
                return Err("the policy's base64 has non-zero trailing bits");
            }
            out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8]);
        }
    }
    if seen & (STANDARD | URL) == STANDARD | URL {
        return Err(MIXED);
    }
    Ok(out)
}

const MIXED: &str = "the policy mixes the standard and URL-safe base64 alphabets";

fn invalid_or_mixed(group: &[u8]) -> &'static str {
    if group.iter().any(|&x| DECODE[x as usize] == INVALID) {
        "the policy is not base64"
    } else {
        MIXED
    }
}

/// Lowercase hex of a 32-byte MAC.
pub(crate) fn hex_encode(bytes: &[u8; 32]) -> String {
    let mut out = Vec::with_capacity(64);
    hex_encode_bytes(bytes, &mut out);
    let mut text = String::with_capacity(64);
    push_ascii(&mut text, &out);
    text
}

/// Appends the lowercase hex of a 32-byte MAC to `out`, as ASCII bytes.
pub(crate) fn hex_encode_bytes(bytes: &[u8; 32], out: &mut Vec<u8>) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [0u8; 64];
    for (pair, &b) in hex.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 15)];
    }
    out.extend_from_slice(&hex);
}

/// Decodes exactly 64 hex digits (either case) into 32 bytes.
pub(crate) fn hex_decode_32(input: &[u8]) -> Result<[u8; 32], &'static str> {
    if input.len() != 64 {
        return Err("the signature is not 64 hex digits");
    }
    let mut out = [0u8; 32];
    for (i, pair) in input.chunks_exact(2).enumerate() {
        let hi = hex_value(pair[0]).ok_or("the signature is not hex")?;
        let lo = hex_value(pair[1]).ok_or("the signature is not hex")?;
        out[i] = (hi << 4) | lo;
    }
    Ok(out)
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(input: &[u8]) -> String {
        let mut s = String::new();
        base64_encode(input, &mut s);
        s
    }

    #[test]
    fn rfc4648_vectors_round_trip() {
        let cases: [(&str, &str); 7] = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(enc(plain.as_bytes()), encoded);
            if !plain.is_empty() {
                assert_eq!(base64_decode(encoded.as_bytes()).unwrap(), plain.as_bytes());
                let unpadded = encoded.trim_end_matches('=');
                assert_eq!(
                    base64_decode(unpadded.as_bytes()).unwrap(),
                    plain.as_bytes()
                );
            }
        }
    }

    #[test]
    fn both_alphabets_but_not_mixed() {
        let bytes = [0xfb, 0xff, 0xbf];
        assert_eq!(enc(&bytes), "-_-_");
        assert_eq!(base64_decode(b"-_-_").unwrap(), bytes);
        assert_eq!(base64_decode(b"+/+/").unwrap(), bytes);
        assert!(base64_decode(b"-/+_").is_err());
    }

    #[test]
    fn strictness() {
        assert!(base64_decode(b"").is_err());
        assert!(base64_decode(b"Zg=").is_err(), "partial padding");
        assert!(base64_decode(b"Zg===").is_err());
        assert!(base64_decode(b"Z").is_err(), "one char left over");
        assert!(base64_decode(b"Zh==").is_err(), "non-zero trailing bits");
        assert!(base64_decode(b"Zm9=").is_err(), "non-zero trailing bits");
        assert!(base64_decode(b"Zm9v ").is_err());
        assert!(base64_decode(b"Zm=v").is_err());
        assert!(base64_decode(b"Zm9v\n").is_err());
        assert!(base64_decode(b"====").is_err());
    }

    #[test]
    fn hex() {
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (i * 37) as u8;
        }
        let h = hex_encode(&bytes);
        assert_eq!(h.len(), 64);
        assert_eq!(h, h.to_lowercase());
        assert_eq!(hex_decode_32(h.as_bytes()).unwrap(), bytes);
        assert_eq!(hex_decode_32(h.to_uppercase().as_bytes()).unwrap(), bytes);
        assert!(hex_decode_32(&h.as_bytes()[..62]).is_err());
        let mut bad = h.clone().into_bytes();
        bad[5] = b'g';
        assert!(hex_decode_32(&bad).is_err());
    }
}
