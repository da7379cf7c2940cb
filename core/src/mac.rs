//! HMAC-SHA256 (RFC 2104) with the key's inner and outer states computed once.
//!
//! A key is absorbed into two SHA-256 states when it is loaded; signing a message then costs
//! only the message's blocks plus one block for the outer hash. The raw key is not kept,
//! and the derived states (which are as good as the key for forging) are zeroed on drop.
//! Compression is `sha2`'s, which uses the SHA extensions of the CPU when present.

use sha2::block_api::compress256;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

const BLOCK: usize = 64;

/// SHA-256 initial hash value (FIPS 180-4 §5.3.3).
const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// A loaded HMAC-SHA256 key: the SHA-256 states after absorbing `key ^ ipad` and
/// `key ^ opad`.
pub(crate) struct MacKey {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl MacKey {
    /// Loads a key of any length (longer than a block, it is hashed first, per RFC 2104).
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut block = [0u8; BLOCK];
        if key.len() > BLOCK {
            let mut digest = sha256(key);
            block[..32].copy_from_slice(&digest);
            digest.zeroize();
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let mut pad = [[0u8; BLOCK]; 1];
        let mut inner = IV;
        let mut outer = IV;
        for (p, k) in pad[0].iter_mut().zip(&block) {
            *p = k ^ 0x36;
        }
        compress256(&mut inner, &pad);
        for (p, k) in pad[0].iter_mut().zip(&block) {
            *p = k ^ 0x5c;
        }
        compress256(&mut outer, &pad);
        pad.zeroize();
        block.zeroize();
        MacKey { inner, outer }
    }

    /// HMAC-SHA256 of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 32] {
        let inner = finish(self.inner, BLOCK, message, false);
        finish(self.outer, BLOCK, &inner, false)
    }

    /// Whether `tag` is the HMAC of `message`, compared in constant time.
    pub(crate) fn verify(&self, message: &[u8], tag: &[u8; 32]) -> bool {
        let expected = self.sign(message);
        bool::from(expected.ct_eq(tag))
    }
}

impl Zeroize for MacKey {
    fn zeroize(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

impl Drop for MacKey {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl zeroize::ZeroizeOnDrop for MacKey {}

/// Finishes a SHA-256 whose state has absorbed `absorbed` bytes (0, or one block for a
/// loaded key), over `message`. With `wipe`, the padding buffer (which holds the end of
/// `message`) is zeroed afterwards: for a key being shortened.
fn finish(mut state: [u32; 8], absorbed: usize, message: &[u8], wipe: bool) -> [u8; 32] {
    let (blocks, rest) = message.as_chunks::<BLOCK>();
    compress256(&mut state, blocks);
    let bits = ((absorbed + message.len()) as u64).wrapping_mul(8);
    let mut tail = [[0u8; BLOCK]; 2];
    let used = if rest.len() + 9 <= BLOCK { 1 } else { 2 };
    tail[0][..rest.len()].copy_from_slice(rest);
    tail[0][rest.len()] = 0x80;
    tail[used - 1][BLOCK - 8..].copy_from_slice(&bits.to_be_bytes());
    compress256(&mut state, &tail[..used]);
    if wipe {
        tail.zeroize();
    }
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    state.zeroize();
    out
}

/// Plain SHA-256, used to shorten keys longer than a block.
fn sha256(data: &[u8]) -> [u8; 32] {
    finish(IV, 0, data, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::hex_encode;
    use hmac::{KeyInit, Mac};
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn keys_are_zeroed_on_drop() {
        fn zeroed_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        zeroed_on_drop::<MacKey>();
        // Drop runs `zeroize`: after it, nothing of the key is left in the states.
        let mut key = MacKey::new(b"a secret that must not stay in memory");
        assert!(key.inner != [0; 8] && key.outer != [0; 8]);
        key.zeroize();
        assert_eq!((key.inner, key.outer), ([0; 8], [0; 8]));
    }

    /// RFC 4231 §4.2–§4.8, HMAC-SHA-256 results (test case 5 is truncated and checked on
    /// its first 128 bits).
    #[test]
    fn rfc4231_known_answers() {
        let aa131 = vec![0xaau8; 131];
        let cases: Vec<(Vec<u8>, Vec<u8>, &str)> = vec![
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                vec![0xaa; 20],
                vec![0xdd; 50],
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            ),
            (
                hex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                vec![0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            ),
            (
                aa131.clone(),
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                aa131,
                b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            ),
        ];
        for (key, data, expected) in cases {
            assert_eq!(hex_encode(&MacKey::new(&key).sign(&data)), expected);
        }
        let truncated = MacKey::new(&[0x0c; 20]).sign(b"Test With Truncation");
        assert_eq!(
            hex_encode(&truncated)[..32],
            *"a3b6167473100ee06e0c796c2955552b"
        );
    }

    #[test]
    fn sha256_known_answers() {
        assert_eq!(
            hex_encode(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex_encode(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex_encode(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn verify_is_exact() {
        let key = MacKey::new(b"0123456789abcdef");
        let tag = key.sign(b"message");
        assert!(key.verify(b"message", &tag));
        let mut bad = tag;
        bad[31] ^= 1;
        assert!(!key.verify(b"message", &bad));
        assert!(!key.verify(b"messagf", &tag));
    }

    proptest! {
        /// Agrees with the RustCrypto `hmac` crate for every key and message length,
        /// across the one- and two-block padding boundary.
        #[test]
        fn agrees_with_rustcrypto(key in proptest::collection::vec(any::<u8>(), 0..200),
                                  msg in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut reference = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key).unwrap();
            reference.update(&msg);
            let expected: [u8; 32] = reference.finalize().into_bytes().into();
            prop_assert_eq!(MacKey::new(&key).sign(&msg), expected);
        }
    }
}
