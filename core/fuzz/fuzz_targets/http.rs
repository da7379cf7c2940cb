//! HTTP requests as an adapter hands them over: an arbitrary target and `Authorization`
//! values, checked against routes of every kind. Nothing may panic; a request the core
//! lets through must carry a token genuinely signed with the key (splicing one into
//! arbitrary text is how the harness reaches the later checks), and every refusal must
//! answer with an HTTP status of the contract.

#![no_main]

use arbitrary::Arbitrary;
use capsign::http::{Fields, HttpRequest, KUBO_IGNORE, Route};
use capsign::{Claims, Signer, Verifier};
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"fuzzing-secret-0123456789";
const NOW: u64 = 1_700_000_000;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    route: u8,
    method: &'a str,
    target: &'a str,
    authorization: Vec<&'a str>,
    /// Where to splice a genuine token: 0 none, 1 bearer, 2 query pair, 3 security task.
    splice: u8,
    handle: Option<&'a str>,
    path: Option<&'a str>,
    size: Option<u64>,
}

fuzz_target!(|input: Input<'_>| {
    let signer = Signer::new(SECRET).expect("the key is long enough");
    let token = signer
        .issue_at(
            &Claims {
                call: Some(&["read", "store", "convert"]),
                permissions: Some(&["**", "pin add [--recursive] *", "GET /files"]),
                expires_in: Some(600),
                ..Claims::default()
            },
            NOW,
        )
        .expect("the claims are valid");
    let (policy, signature) = (token.policy(), token.signature());
    let routes = [
        Route::builder().call("read").fields(true).build(),
        Route::builder().rest().security_task(true).build(),
        Route::builder().rpc("/api/v0").ignore(KUBO_IGNORE).build(),
        Route::builder().call("store").fields(true).build(),
        Route::builder().authenticate_only().build(),
    ];
    let Ok(route) = &routes[usize::from(input.route) % routes.len()] else {
        return;
    };
    let bearer = format!("Bearer {}", token.token());
    let mut authorization = input.authorization.clone();
    let target = match input.splice % 4 {
        1 => {
            authorization.push(&bearer);
            input.target.to_owned()
        }
        2 => format!("{}?policy={policy}&signature={signature}", input.target),
        3 => format!("/k/security=p:{policy},s:{signature}{}", input.target),
        _ => input.target.to_owned(),
    };
    let verifier = Verifier::new(SECRET).expect("the key is long enough");
    let request = HttpRequest {
        method: input.method,
        target: &target,
        authorization: &authorization,
        command: None,
    };
    let fields = Fields {
        handle: input.handle,
        path: input.path,
        size: input.size,
        ..Fields::default()
    };
    match verifier.check_http_at(route, &request, &fields, NOW) {
        Ok(grant) => assert_eq!(grant.expiry(), token.expiry(), "only the genuine token passes"),
        Err(e) => assert!(
            [400, 401, 403, 500].contains(&e.http_status()),
            "{e}: status {}",
            e.http_status()
        ),
    }
});
