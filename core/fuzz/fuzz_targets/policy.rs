//! Policy parsing and validation on arbitrary JSON text, through both writers: the
//! Filestack-compatible helper (Python-style JSON) and the canonical signer output.

#![no_main]

use capsign::{Request, Verifier, filestack};
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"fuzzing-secret-0123456789";

fuzz_target!(|json: &str| {
    match filestack::security(json, SECRET) {
        Ok(creds) => {
            // What the helper signs verifies, as of a time before its expiry.
            let decoded = capsign::dangerous::decode_unverified(creds.policy()).expect("decodes");
            let expiry = creds.expiry();
            if expiry > 0 {
                let verify = |verifier: &Verifier| {
                    verifier.verify_at(
                        creds.policy(),
                        creds.signature(),
                        &Request::new(),
                        expiry - 1,
                    )
                };
                let default = Verifier::new(SECRET).expect("a valid secret");
                let grant = match verify(&default) {
                    // A policy naming a kid needs the key under that kid.
                    Err(capsign::Error::UnknownKey { kid: Some(kid) }) => {
                        let keyed = Verifier::builder()
                            .key(kid, SECRET)
                            .build()
                            .expect("a valid kid");
                        verify(&keyed)
                    }
                    other => other,
                }
                .unwrap_or_else(|e| panic!("{decoded}: {e}"));
                assert_eq!(grant.expiry(), expiry);
                // The canonical form reads back as the same policy.
                let canonical = grant.policy().to_json();
                let again = filestack::security(&canonical, SECRET)
                    .unwrap_or_else(|e| panic!("{canonical}: {e}"));
                assert_eq!(again, creds, "{canonical}");
            }
        }
        Err(e) => {
            assert!(
                matches!(
                    e.code(),
                    "invalid_policy" | "invalid_permission" | "weak_secret"
                ),
                "{e}"
            );
        }
    }
});
