//! Verification of arbitrary policy and signature strings against a real key, and of
//! arbitrary policies signed with it (so that validation and authorization are reached).

#![no_main]

use arbitrary::Arbitrary;
use capsign::{CommandRef, Request, Verifier, dangerous};
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"fuzzing-secret-0123456789";

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    policy: &'a str,
    signature: &'a str,
    sign_it: bool,
    call: Option<&'a str>,
    handle: Option<&'a str>,
    path: Option<&'a str>,
    size: Option<u64>,
    command: Option<&'a str>,
    now: u64,
    leeway: u16,
}

fuzz_target!(|input: Input<'_>| {
    let Ok(verifier) = Verifier::builder()
        .secret(SECRET)
        .key("k1", SECRET)
        .leeway(i64::from(input.leeway % 4000))
        .build()
    else {
        return; // a leeway over the limit: refused at construction, nothing to verify
    };
    let signature = if input.sign_it {
        dangerous::sign_raw(SECRET, input.policy)
    } else {
        input.signature.to_owned()
    };
    let request = Request {
        call: input.call,
        handle: input.handle,
        path: input.path,
        size: input.size,
        command: input.command.map(CommandRef::Text),
        ..Request::default()
    };
    match verifier.verify_at(input.policy, &signature, &request, input.now) {
        Ok(grant) => {
            // Only a genuine signature verifies.
            assert_eq!(signature, dangerous::sign_raw(SECRET, input.policy));
            // The time checks held.
            assert!(input.now < grant.expiry().saturating_add(verifier.leeway()));
            // The grant re-authorizes what it authorized.
            if !request.is_empty() {
                assert!(grant.authorize(&request).is_ok());
            }
            // And the same call answers the same (the verified-policy cache is transparent).
            assert!(
                verifier
                    .verify_at(input.policy, &signature, &request, input.now)
                    .is_ok()
            );
        }
        Err(e) => {
            assert!(capsign::Error::CODES.contains(&e.code()));
            assert!(!e.to_string().is_empty());
            if !input.sign_it && e.code() != "malformed" && e.code() != "unknown_key" {
                // An unsigned policy can only fail on decoding, the key or the signature.
                assert_eq!(e.code(), "bad_signature", "{e}");
            }
        }
    }
});
