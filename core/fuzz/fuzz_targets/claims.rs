//! Claims given as JSON (what the Node package sends): arbitrary text never panics, and
//! whatever it issues verifies with the same key.

#![no_main]

use capsign::{Request, Signer, Verifier};
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"fuzzing-secret-0123456789";

fuzz_target!(|text: &str| {
    let signer = Signer::new(SECRET).expect("the key is long enough");
    if let Ok(creds) = signer.issue_json_at(text, 1_000) {
        let verifier = Verifier::new(SECRET).expect("the key is long enough");
        let grant = verifier
            .verify_token_at(creds.token(), &Request::new(), 1_000)
            .expect("what a signer issues verifies");
        assert_eq!(grant.expiry(), creds.expiry());
    }
});
