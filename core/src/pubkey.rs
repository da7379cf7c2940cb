//! Ed25519 keys (`DESIGN.md` §8), by `ed25519-dalek`: a verifier that holds only public
//! keys can check a capability and cannot make one.
//!
//! - A **signing key** is a 32-byte seed, stored as 43 characters of unpadded base64url
//!   (a key file, mode 600). It is zeroed on drop and never printed.
//! - A **public key** is accepted as 43 characters of base64url, as a JWK (RFC 8037:
//!   `{"kty":"OKP","crv":"Ed25519","x":…}`) or as a libp2p peer ID (`12D3KooW…`: the
//!   base58btc identity multihash of the protobuf `PublicKey{Type: Ed25519, Data}`, as Kubo
//!   prints it). Small-order keys are refused.
//! - A **key set** is a JWK Set, `{"keys":[…]}`, each key with a `kid`.
//! - Signatures are 64 bytes, as 86 characters of unpadded base64url, checked with
//!   `verify_strict` (a non-canonical `S` or a small-order point is refused).

use std::fmt;

use ed25519_dalek::{Signer as _, SigningKey as Dalek, VerifyingKey};
use zeroize::Zeroizing;

use crate::encoding::{base64url_decode, base64url_encode};
use crate::error::{Error, Result, quote};
use crate::json::{self, Kind};
use crate::keys::{check_kid, random_32};

/// The protobuf `PublicKey { Type: Ed25519 (1), Data: <32 bytes> }` prefix, and the
/// identity multihash header (code 0, length 36) before it: a peer ID is these 6 bytes and
/// the key, in base58btc (libp2p's peer ID specification).
const PEER_ID_PREFIX: [u8; 6] = [0x00, 0x24, 0x08, 0x01, 0x12, 0x20];

/// An Ed25519 signing key. Its `Debug` output shows only the public key's peer ID; every
/// copy (`clone`) is zeroed when dropped.
#[derive(Clone)]
pub struct SigningKey {
    inner: Dalek,
}

impl SigningKey {
    /// A new key from the operating system's generator.
    pub fn generate() -> Result<SigningKey> {
        let seed = random_32()?;
        Ok(SigningKey::from_seed(&seed))
    }

    /// The key of a 32-byte seed.
    pub fn from_seed(seed: &[u8; 32]) -> SigningKey {
        SigningKey {
            inner: Dalek::from_bytes(seed),
        }
    }

    /// The key of a seed written as 43 characters of unpadded base64url (a key file's
    /// content; surrounding whitespace is ignored).
    pub fn from_text(text: &str) -> Result<SigningKey> {
        let seed: Zeroizing<[u8; 32]> =
            Zeroizing::new(base64url_decode(text.trim()).ok_or_else(|| {
                Error::argument(
                    "signing_key",
                    "a signing key is 43 characters of unpadded base64url (a 32-byte seed)",
                )
            })?);
        Ok(SigningKey::from_seed(&seed))
    }

    /// The seed as 43 characters of unpadded base64url, for a key file (zeroed on drop).
    pub fn to_text(&self) -> Zeroizing<String> {
        let seed = Zeroizing::new(self.inner.to_bytes());
        let mut out = Zeroizing::new(String::with_capacity(43));
        base64url_encode(seed.as_ref(), &mut out);
        out
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.verifying_key(),
        }
    }

    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.inner.sign(message).to_bytes()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SigningKey(<redacted>, peer_id={})",
            self.public_key().peer_id()
        )
    }
}

// `ed25519-dalek` zeroes the key on drop (its `zeroize` feature).
impl zeroize::ZeroizeOnDrop for SigningKey {}

/// An Ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey {
    inner: VerifyingKey,
}

impl PublicKey {
    /// A key from its 32 bytes: a valid point, not of small order.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<PublicKey> {
        let inner = VerifyingKey::from_bytes(bytes)
            .map_err(|_| Error::argument("public_key", "not a valid Ed25519 point"))?;
        if inner.is_weak() {
            return Err(Error::argument(
                "public_key",
                "a small-order point is not a public key (anything would verify)",
            ));
        }
        // A y coordinate of p or more names the same point as y - p: one key would have
        // two spellings, two peer IDs and two JWKs. Only the canonical encoding is a key.
        if inner.to_edwards().compress().as_bytes() != bytes {
            return Err(Error::argument(
                "public_key",
                "not the canonical encoding of its point (a coordinate of p or more)",
            ));
        }
        Ok(PublicKey { inner })
    }

    /// A key written any of the three ways: 43 characters of unpadded base64url, a JWK, or
    /// a libp2p peer ID.
    pub fn parse(text: &str) -> Result<PublicKey> {
        let text = text.trim();
        if text.starts_with('{') {
            return PublicKey::from_jwk(text).map(|(key, _)| key);
        }
        // A peer ID is 52 characters; 43 is the key itself.
        if text.len() == 43 {
            let bytes = base64url_decode::<32>(text).ok_or_else(|| {
                Error::argument("public_key", "not 43 characters of unpadded base64url")
            })?;
            return PublicKey::from_bytes(&bytes);
        }
        PublicKey::from_peer_id(text)
    }

    /// A key from a libp2p peer ID (`12D3KooW…`). Peer IDs of other key types (RSA
    /// `Qm…`, secp256k1 `16Uiu2HAm…`) are refused.
    pub fn from_peer_id(peer_id: &str) -> Result<PublicKey> {
        let bad = |why: &str| {
            Error::argument(
                "public_key",
                // The text is not repeated: a secret given where a key belongs must not
                // reach a log.
                format!("not an Ed25519 peer ID (12D3KooW…): {why}"),
            )
        };
        let bytes = bs58::decode(peer_id)
            .into_vec()
            .map_err(|_| bad("not base58btc"))?;
        let key = bytes
            .strip_prefix(&PEER_ID_PREFIX[..])
            .filter(|key| key.len() == 32)
            .ok_or_else(|| bad("not the identity multihash of an Ed25519 key"))?;
        let mut array = [0u8; 32];
        array.copy_from_slice(key);
        PublicKey::from_bytes(&array)
    }

    /// A key from a JWK (RFC 8037), and the JWK's `kid` if it has one. A JWK holding a
    /// private part (`d`) is refused: it is not a public key, and must not be spread.
    pub fn from_jwk(text: &str) -> Result<(PublicKey, Option<String>)> {
        let bad = |why: String| Error::argument("public_key", why);
        let (mut kty, mut crv, mut x, mut kid) = (None, None, None, None);
        json::for_each_member(text, |name, value| {
            json::check(value)?;
            let as_text = || json::string(value)?.ok_or_else(|| format!("{name} is not a string"));
            match name.as_ref() {
                "kty" => kty = Some(as_text()?),
                "crv" => crv = Some(as_text()?),
                "x" => x = Some(as_text()?),
                "kid" => kid = Some(as_text()?),
                "d" => return Err("a JWK with a private part (d) is not a public key".into()),
                _ => {}
            }
            Ok(())
        })
        .map_err(|e| bad(format!("not a JWK: {}", e.0)))?;
        if kty.as_deref() != Some("OKP") || crv.as_deref() != Some("Ed25519") {
            return Err(bad(
                r#"a JWK of an Ed25519 key has "kty":"OKP","crv":"Ed25519""#.into(),
            ));
        }
        let x = x.ok_or_else(|| bad("the JWK has no x".into()))?;
        let bytes = base64url_decode::<32>(&x)
            .ok_or_else(|| bad("the JWK's x is not 43 characters of base64url".into()))?;
        let kid = kid.map(|k| k.into_owned());
        if let Some(k) = &kid {
            check_kid(k)?;
        }
        Ok((PublicKey::from_bytes(&bytes)?, kid))
    }

    /// The key's 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.inner.to_bytes()
    }

    /// The key as 43 characters of unpadded base64url.
    pub fn to_base64url(&self) -> String {
        let mut out = String::with_capacity(43);
        base64url_encode(self.inner.as_bytes(), &mut out);
        out
    }

    /// The key's libp2p peer ID (`12D3KooW…`), as Kubo prints it.
    pub fn peer_id(&self) -> String {
        let mut bytes = Vec::with_capacity(38);
        bytes.extend_from_slice(&PEER_ID_PREFIX);
        bytes.extend_from_slice(self.inner.as_bytes());
        bs58::encode(bytes).into_string()
    }

    /// The key as a JWK (RFC 8037), with `kid` if given: `{"alg":"EdDSA","crv":"Ed25519",
    /// "kid":…,"kty":"OKP","use":"sig","x":…}`.
    pub fn jwk(&self, kid: Option<&str>) -> String {
        let mut jwk = serde_json::json!({
            "alg": "EdDSA",
            "crv": "Ed25519",
            "kty": "OKP",
            "use": "sig",
            "x": self.to_base64url(),
        });
        if let Some(kid) = kid {
            jwk["kid"] = serde_json::Value::from(kid);
        }
        jwk.to_string()
    }

    /// Whether `signature` is this key's signature of `message` (strict: non-canonical
    /// signatures and small-order points are refused).
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        self.inner.verify_strict(message, &signature).is_ok()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.peer_id())
    }
}

/// A JWK Set (`{"keys":[…]}`) of public keys by `kid`.
pub fn key_set<'k>(keys: impl IntoIterator<Item = (&'k str, &'k PublicKey)>) -> String {
    let keys: Vec<serde_json::Value> = keys
        .into_iter()
        .map(|(kid, key)| {
            serde_json::from_str(&key.jwk(Some(kid))).unwrap_or(serde_json::Value::Null)
        })
        .collect();
    serde_json::json!({ "keys": keys }).to_string()
}

/// The keys of a JWK Set, each with its `kid` (required, and unique). Keys of other types
/// are refused, not skipped: a set is meant to be trusted whole.
pub fn parse_key_set(text: &str) -> Result<Vec<(String, PublicKey)>> {
    let bad = |why: String| Error::argument("key_set", why);
    let mut keys = None;
    json::for_each_member(text, |name, value| {
        if name == "keys" {
            if Kind::of(value) != Kind::Array {
                return Err("keys is not a list".into());
            }
            let items: Vec<&json::RawValue> =
                serde_json::from_str(value.get()).map_err(|e| e.to_string())?;
            keys = Some(
                items
                    .into_iter()
                    .map(|k| k.get().to_owned())
                    .collect::<Vec<_>>(),
            );
        } else {
            json::check(value)?;
        }
        Ok(())
    })
    .map_err(|e| bad(format!("not a JWK Set: {}", e.0)))?;
    let keys = keys.ok_or_else(|| bad(r#"a JWK Set is {"keys":[...]}"#.into()))?;
    let mut out: Vec<(String, PublicKey)> = Vec::with_capacity(keys.len());
    for jwk in keys {
        let (key, kid) = PublicKey::from_jwk(&jwk)?;
        let kid = kid.ok_or_else(|| bad("every key of a set needs a kid".into()))?;
        if out.iter().any(|(k, _)| *k == kid) {
            return Err(bad(format!("kid {} is given twice", quote(&kid))));
        }
        out.push((kid, key));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// libp2p's peer ID specification: the Ed25519 example peer ID, whose key protobuf is
    /// `CAESIC/6NamdOjz7sXu3wdxVYbGKjcyk3zjcYT6oWcN+sTNr` (base64).
    #[test]
    fn peer_ids_follow_the_libp2p_specification() {
        let key = PublicKey::parse("L_o1qZ06PPuxe7fB3FVhsYqNzKTfONxhPqhZw36xM2s").unwrap();
        assert_eq!(
            key.peer_id(),
            "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"
        );
        assert_eq!(
            PublicKey::parse("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA").unwrap(),
            key
        );
        // RSA (sha256 multihash) and secp256k1 peer IDs are other key types.
        for other in [
            "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
            "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY",
            "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5S0",
            "",
        ] {
            assert_eq!(
                PublicKey::parse(other).unwrap_err().code(),
                "invalid_argument",
                "{other}"
            );
        }
    }

    /// The specification's test vector: a libp2p private key protobuf whose seed gives
    /// the public key it lists.
    #[test]
    fn seeds_give_their_public_keys() {
        let private = hex(
            "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d\
             1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e",
        );
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&private[4..36]);
        let key = SigningKey::from_seed(&seed);
        assert_eq!(key.public_key().to_bytes()[..], private[36..68]);
        let again = SigningKey::from_text(&key.to_text()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        assert!(!format!("{key:?}").contains(&*key.to_text()));
    }

    #[test]
    fn every_form_reads_back() {
        let key = SigningKey::generate().unwrap().public_key();
        assert_eq!(PublicKey::parse(&key.to_base64url()).unwrap(), key);
        assert_eq!(PublicKey::parse(&key.peer_id()).unwrap(), key);
        assert_eq!(PublicKey::parse(&key.jwk(None)).unwrap(), key);
        let (from_jwk, kid) = PublicKey::from_jwk(&key.jwk(Some("k1"))).unwrap();
        assert_eq!((from_jwk, kid.as_deref()), (key, Some("k1")));
        let set = key_set([("a", &key), ("b", &key)]);
        let parsed = parse_key_set(&set).unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[1], ("b".to_owned(), key));
    }

    #[test]
    fn only_the_canonical_encoding_of_a_point_is_a_key() {
        // y = 3 is on the curve (and not of small order); y = p + 3 names the same point.
        let mut canonical = [0u8; 32];
        canonical[0] = 3;
        let key = PublicKey::from_bytes(&canonical).unwrap();
        assert_eq!(
            key.to_base64url(),
            "AwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        );
        let mut alias = [0xffu8; 32];
        alias[0] = 0xf0;
        alias[31] = 0x7f;
        let error = PublicKey::from_bytes(&alias).unwrap_err();
        assert_eq!(error.code(), "invalid_argument");
        assert!(error.to_string().contains("canonical"), "{error}");
        assert!(PublicKey::parse("8P_______________________________________38").is_err());
    }

    #[test]
    fn bad_keys_are_refused() {
        let small_order = [1u8; 1]
            .iter()
            .copied()
            .chain([0u8; 31])
            .collect::<Vec<_>>();
        let mut identity = [0u8; 32];
        identity.copy_from_slice(&small_order);
        assert_eq!(
            PublicKey::from_bytes(&identity).unwrap_err().code(),
            "invalid_argument"
        );
        let key = SigningKey::generate().unwrap().public_key();
        let x = key.to_base64url();
        for bad in [
            format!(r#"{{"kty":"OKP","crv":"X25519","x":"{x}"}}"#),
            format!(r#"{{"kty":"EC","crv":"Ed25519","x":"{x}"}}"#),
            format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","d":"{x}"}}"#),
            r#"{"kty":"OKP","crv":"Ed25519"}"#.to_owned(),
            format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}=="}}"#),
            format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","kty":"OKP","x":"{x}"}} x"#),
        ] {
            assert_eq!(
                PublicKey::parse(&bad).unwrap_err().code(),
                "invalid_argument",
                "{bad}"
            );
        }
        for bad in [
            "[]".to_owned(),
            r#"{"keys":{}}"#.to_owned(),
            format!(r#"{{"keys":[{}]}}"#, key.jwk(None)),
            format!(
                r#"{{"keys":[{},{}]}}"#,
                key.jwk(Some("a")),
                key.jwk(Some("a"))
            ),
        ] {
            assert_eq!(
                parse_key_set(&bad).unwrap_err().code(),
                "invalid_argument",
                "{bad}"
            );
        }
    }

    #[test]
    fn signatures_are_strict() {
        let signing = SigningKey::generate().unwrap();
        let key = signing.public_key();
        let signature = signing.sign(b"policy");
        assert!(key.verify(b"policy", &signature));
        assert!(!key.verify(b"policx", &signature));
        // S + L (the group order) is the same signature, non-canonically: refused.
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut malleated = signature;
        let mut carry = 0u16;
        for (s, l) in malleated[32..].iter_mut().zip(L) {
            let sum = u16::from(*s) + u16::from(l) + carry;
            *s = sum as u8;
            carry = sum >> 8;
        }
        assert!(!key.verify(b"policy", &malleated));
    }
}
