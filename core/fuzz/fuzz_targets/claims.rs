//! Claims given as JSON (what the Node package sends): arbitrary text never panics, and
//! whatever it issues verifies with the same key, from its `nbf` (a signer may issue a
//! credential that becomes valid later) until its expiry.

#![no_main]

use capsign::{Error, Request, Signer, Verifier};
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"fuzzing-secret-0123456789";
const NOW: u64 = 1_000;

fuzz_target!(|text: &str| {
    let signer = Signer::new(SECRET).expect("the key is long enough");
    if let Ok(creds) = signer.issue_json_at(text, NOW) {
        let verifier = Verifier::new(SECRET).expect("the key is long enough");
        let grant = match verifier.verify_token_at(creds.token(), &Request::new(), NOW) {
            Err(Error::NotYetValid { nbf, .. }) => {
                assert!(nbf > NOW && nbf < creds.expiry(), "nbf {nbf} is in its lifetime");
                verifier.verify_token_at(creds.token(), &Request::new(), nbf)
            }
            other => other,
        }
        .expect("what a signer issues verifies");
        assert_eq!(grant.expiry(), creds.expiry());
    }
});
