//! Base64 and hex, by the `base64` and `hex` crates, with capsign's acceptance rules.
//!
//! Emitting: policies in the URL-safe alphabet with `=` padding, as Filestack's SDKs do;
//! keys and Ed25519 signatures in unpadded URL-safe base64; HMAC signatures in lowercase
//! hex. Accepting a policy: the URL-safe or the standard alphabet (not a mix of both in one
//! string), padded correctly or not at all, with zero trailing bits. The signature covers
//! the string as received, so accepting both alphabets never lets one signature cover two
//! policies.
//!
//! The crate's engines each take one alphabet and one padding rule; the wrapper only
//! chooses the engine from what the string contains (see `docs/decisions.md`).

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

const PADDED: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_encode_padding(true)
    .with_decode_allow_trailing_bits(false)
    .with_decode_padding_mode(DecodePaddingMode::RequireCanonical);
const UNPADDED: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_encode_padding(false)
    .with_decode_allow_trailing_bits(false)
    .with_decode_padding_mode(DecodePaddingMode::RequireNone);

const URL_PADDED: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, PADDED);
const URL_UNPADDED: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, UNPADDED);
const STANDARD_PADDED: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, PADDED);
const STANDARD_UNPADDED: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, UNPADDED);

const MIXED: &str = "the policy mixes the standard and URL-safe base64 alphabets";

/// Appends the URL-safe, padded base64 of `input` to `out` (a policy).
pub(crate) fn base64_encode(input: &[u8], out: &mut String) {
    URL_PADDED.encode_string(input, out);
}

/// Appends the URL-safe, unpadded base64 of `input` to `out` (keys, Ed25519 signatures).
pub(crate) fn base64url_encode(input: &[u8], out: &mut String) {
    URL_UNPADDED.encode_string(input, out);
}

/// Decodes a policy: base64 in either alphabet, padded or not. The error says why, for
/// `malformed`.
pub(crate) fn base64_decode(input: &[u8]) -> Result<Vec<u8>, &'static str> {
    if input.is_empty() {
        return Err("the policy is empty");
    }
    let standard = input.iter().any(|&b| b == b'+' || b == b'/');
    if standard && input.iter().any(|&b| b == b'-' || b == b'_') {
        return Err(MIXED);
    }
    let engine = match (standard, input.last() == Some(&b'=')) {
        (false, true) => &URL_PADDED,
        (false, false) => &URL_UNPADDED,
        (true, true) => &STANDARD_PADDED,
        (true, false) => &STANDARD_UNPADDED,
    };
    engine.decode(input).map_err(|e| match e {
        base64::DecodeError::InvalidByte(_, b'=') | base64::DecodeError::InvalidPadding => {
            "the policy's base64 padding is wrong"
        }
        base64::DecodeError::InvalidByte(..) => "the policy is not base64",
        base64::DecodeError::InvalidLength(_) => "the policy's base64 is truncated",
        base64::DecodeError::InvalidLastSymbol { .. } => {
            "the policy's base64 has non-zero trailing bits"
        }
    })
}

/// Decodes exactly `N` bytes of unpadded URL-safe base64 (a key or an Ed25519 signature).
pub(crate) fn base64url_decode<const N: usize>(input: &str) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    if input.len() != (N * 4).div_ceil(3) {
        return None;
    }
    match URL_UNPADDED.decode_slice(input, &mut out) {
        Ok(n) if n == N => Some(out),
        _ => None,
    }
}

/// Appends the lowercase hex of a 32-byte MAC to `out`.
pub(crate) fn hex_encode(bytes: &[u8; 32], out: &mut String) {
    let mut digits = [0u8; 64];
    if hex::encode_to_slice(bytes, &mut digits).is_ok()
        && let Ok(text) = std::str::from_utf8(&digits)
    {
        out.push_str(text);
    }
}

/// Decodes exactly 64 hex digits (either case) into 32 bytes.
pub(crate) fn hex_decode_32(input: &[u8]) -> Result<[u8; 32], &'static str> {
    if input.len() != 64 {
        return Err("the signature is not 64 hex digits");
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(input, &mut out).map_err(|_| "the signature is not hex")?;
    Ok(out)
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
        assert_eq!(base64_decode(b"-/+_"), Err(MIXED));
        assert_eq!(base64_decode(b"-_-_+/+/"), Err(MIXED));
    }

    #[test]
    fn strictness() {
        assert!(base64_decode(b"").is_err());
        assert!(base64_decode(b"Zg=").is_err(), "partial padding");
        assert!(base64_decode(b"Zg===").is_err());
        assert!(base64_decode(b"Z").is_err(), "one char left over");
        assert!(base64_decode(b"Zh==").is_err(), "non-zero trailing bits");
        assert!(base64_decode(b"Zm9=").is_err(), "non-zero trailing bits");
        assert!(
            base64_decode(b"Zh").is_err(),
            "non-zero trailing bits, unpadded"
        );
        assert!(base64_decode(b"Zm9v ").is_err());
        assert!(base64_decode(b"Zm=v").is_err());
        assert!(base64_decode(b"Zm9v\n").is_err());
        assert!(base64_decode(b"====").is_err());
        assert!(base64_decode(b"Zm9v====").is_err());
    }

    #[test]
    fn fixed_size_base64url() {
        let mut s = String::new();
        base64url_encode(&[7u8; 32], &mut s);
        assert_eq!(s.len(), 43);
        assert_eq!(base64url_decode::<32>(&s), Some([7u8; 32]));
        assert_eq!(base64url_decode::<32>(&s[..42]), None);
        assert_eq!(base64url_decode::<32>(&format!("{s}=")), None);
        // The last symbol's two low bits must be zero.
        let last = s.as_bytes()[42];
        let mut wrong_bits = s.clone();
        wrong_bits.replace_range(42.., if last == b'B' { "C" } else { "B" });
        assert_eq!(base64url_decode::<32>(&wrong_bits), None);
        let mut standard = s.clone();
        standard.replace_range(0..1, "+");
        assert_eq!(base64url_decode::<32>(&standard), None);
    }

    #[test]
    fn hex() {
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (i * 37) as u8;
        }
        let mut h = String::new();
        hex_encode(&bytes, &mut h);
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
