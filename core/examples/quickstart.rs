//! Issue a credential, verify it, and watch capsign refuse what it does not allow.
//!
//! `cargo run -p capsign --example quickstart`

#![allow(missing_docs)]

use capsign::{Claims, Request, Signer, Verifier};

fn main() -> Result<(), capsign::Error> {
    // The backend holds the secret; it never reaches the browser.
    let secret = capsign::generate_secret()?;
    let signer = Signer::new(&secret)?;

    // Upload-only credentials for 15 minutes, like the Filestack tutorial, plus two
    // IPFS-style commands.
    let credentials = signer.issue(&Claims {
        expires_in: Some(15 * 60),
        call: Some(&["pick"]),
        path: Some("/uploads/user-42/.*"),
        max_size: Some(10 * 1024 * 1024),
        permissions: Some(&["pin add [-r] *", "cat /ipfs/QmA"]),
        ..Claims::default()
    })?;
    println!("policy:    {}", credentials.policy());
    println!("signature: {}", credentials.signature());
    println!("token:     {}\n", credentials.token());

    let verifier = Verifier::new(&secret)?;
    let upload = Request::new()
        .call("pick")
        .path("/uploads/user-42/cat.png")
        .size(48_213);
    let checks: [(&str, Request<'_>); 6] = [
        ("upload to /uploads/user-42/cat.png", upload),
        (
            "upload to another user's folder",
            upload.path("/uploads/user-7/cat.png"),
        ),
        ("upload of 20 MiB", upload.size(20 * 1024 * 1024)),
        ("remove a file", Request::new().call("remove")),
        (
            "pin add -r QmX",
            Request::new().command_text("pin add -r QmX"),
        ),
        ("pin rm QmX", Request::new().command_text("pin rm QmX")),
    ];
    for (what, request) in checks {
        match verifier.verify_token(credentials.token(), &request) {
            Ok(_) => println!("allowed  {what}"),
            Err(e) => println!("REFUSED  {what}: [{}] {e}", e.code()),
        }
    }

    // A tampered token is refused before anything in it is believed.
    let mut forged = credentials.token().to_owned();
    forged.replace_range(
        forged.len() - 1..,
        if forged.ends_with('0') { "1" } else { "0" },
    );
    match verifier.verify_token(&forged, &Request::new().call("pick")) {
        Ok(_) => println!("allowed  a token with one signature digit changed (a bug!)"),
        Err(e) => println!(
            "REFUSED  a token with one signature digit changed: [{}] {e}",
            e.code()
        ),
    }
    Ok(())
}
