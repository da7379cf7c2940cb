//! What a route requires of every request, and checking a request against it.

use std::borrow::Cow;

use super::credentials::{self, Presented};
use crate::capability::Command;
use crate::capability::mapping::{RpcMount, check_target_chars};
use crate::error::{Error, Result, quote};
use crate::limits::MAX_INTEGER;
use crate::policy::Call;
use crate::request::{CommandRef, Request};
use crate::verify::{Grant, Verifier};

/// What a route of an HTTP service requires of every request: a Filestack call, a
/// command (fixed, given per request by the application, or the request's REST or RPC
/// mapping), or both. Made once at setup by [`Route::builder`]; a route that names
/// nothing is refused there, unless it says it only authenticates.
#[derive(Clone, Debug)]
pub struct Route {
    call: Option<Call>,
    command: RouteCommand,
    security_task: bool,
}

#[derive(Clone, Debug)]
enum RouteCommand {
    None,
    Fixed(Command),
    PerRequest,
    Rest,
    Rpc(RpcMount),
}

impl Route {
    /// Options, checked by [`RouteBuilder::build`].
    pub fn builder() -> RouteBuilder {
        RouteBuilder::default()
    }

    /// The call the route requires, if any.
    pub fn call(&self) -> Option<Call> {
        self.call
    }

    /// Whether the application gives the command per request.
    pub fn command_per_request(&self) -> bool {
        matches!(self.command, RouteCommand::PerRequest)
    }

    /// The credentials a request presents, read with this route's rules (its `Authorization`
    /// header values and raw target), without verifying them.
    pub fn presented<'a>(
        &self,
        authorization: &[&'a str],
        target: &'a str,
    ) -> Result<Option<Presented<'a>>> {
        credentials::read_from(authorization, target, self.security_task).map(|f| f.presented)
    }
}

/// Options for a [`Route`].
#[derive(Debug, Default)]
pub struct RouteBuilder {
    call: Option<String>,
    commands: Vec<RouteCommand>,
    ignore: Option<Vec<String>>,
    fields: bool,
    security_task: bool,
    authenticate_only: bool,
    error: Option<Error>,
}

impl RouteBuilder {
    /// The Filestack call every request must be allowed (`read`, `pick`, …).
    pub fn call(mut self, name: &str) -> Self {
        self.call = Some(name.to_owned());
        self
    }

    /// The command every request needs, such as `pin ls`.
    pub fn command(mut self, text: &str) -> Self {
        match Command::parse(text) {
            Ok(command) => self.commands.push(RouteCommand::Fixed(command)),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// The application names each request's command (a function of the request).
    pub fn command_per_request(mut self) -> Self {
        self.commands.push(RouteCommand::PerRequest);
        self
    }

    /// The command is `<METHOD> <path>` of each request ([`crate::http::rest`]).
    pub fn rest(mut self) -> Self {
        self.commands.push(RouteCommand::Rest);
        self
    }

    /// The command is the RPC mapping of each request under `prefix` (such as
    /// `/api/v0`; see [`RpcMount`]).
    pub fn rpc(mut self, prefix: &str) -> Self {
        match RpcMount::new(prefix) {
            Ok(mount) => self.commands.push(RouteCommand::Rpc(mount)),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// Parameter names the RPC mapping ignores (such as [`crate::http::KUBO_IGNORE`]).
    pub fn ignore<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.ignore
            .get_or_insert_with(Vec::new)
            .extend(names.into_iter().map(|n| n.as_ref().to_owned()));
        self
    }

    /// The application gives request fields (`handle`, `path`, `size`, …).
    pub fn fields(mut self, given: bool) -> Self {
        self.fields = given;
        self
    }

    /// Also read credentials from Filestack's `security=p:…,s:…` path task (off by
    /// default: only routes that serve Filestack-style URLs need it).
    pub fn security_task(mut self, on: bool) -> Self {
        self.security_task = on;
        self
    }

    /// The route only checks that the credentials are genuine and current, and names no
    /// request: any valid credential passes. Say so explicitly; the application must
    /// then authorize with the grant itself.
    pub fn authenticate_only(mut self) -> Self {
        self.authenticate_only = true;
        self
    }

    /// The route, or why these options cannot make one.
    pub fn build(self) -> Result<Route> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let call = self
            .call
            .map(|name| {
                Call::from_name(&name).ok_or_else(|| {
                    Error::argument("call", format!("{} is not a Filestack call", quote(&name)))
                })
            })
            .transpose()?;
        let mut commands = self.commands;
        if commands.len() > 1 {
            return Err(Error::argument(
                "command",
                "give at most one of command, rest and rpc",
            ));
        }
        let mut command = commands.pop().unwrap_or(RouteCommand::None);
        match (&mut command, self.ignore) {
            (RouteCommand::Rpc(mount), Some(names)) => *mount = mount.clone().ignore(names)?,
            (_, Some(_)) => {
                return Err(Error::argument(
                    "ignore",
                    "an ignore list belongs to an rpc route",
                ));
            }
            (_, None) => {}
        }
        let names_something = call.is_some() || !matches!(command, RouteCommand::None);
        match (self.authenticate_only, names_something) {
            (true, true) => {
                return Err(Error::argument(
                    "authenticate_only",
                    "a route that only authenticates names no call and no command",
                ));
            }
            (true, false) if self.fields => {
                return Err(Error::argument(
                    "fields",
                    "a route that only authenticates checks no request fields",
                ));
            }
            (false, false) => {
                return Err(Error::argument(
                    "route",
                    "name a call, a command, rest or rpc (a route naming nothing would \
                     admit every genuine credential); for a route that only checks \
                     credentials, say authenticate_only",
                ));
            }
            _ => {}
        }
        Ok(Route {
            call,
            command,
            security_task: self.security_task,
        })
    }
}

/// One HTTP request, as an adapter sees it.
#[derive(Clone, Copy, Debug)]
pub struct HttpRequest<'a> {
    /// The method.
    pub method: &'a str,
    /// The request target as sent: the path still percent-encoded, and the query.
    pub target: &'a str,
    /// Every `Authorization` header value (more than one is refused).
    pub authorization: &'a [&'a str],
    /// The command the application names for this request (routes with a command per
    /// request only).
    pub command: Option<CommandRef<'a>>,
}

/// What the application says a request names, to check against the policy. (`call` and
/// the command come from the route; the time of a check never comes from a request.)
#[derive(Clone, Copy, Debug, Default)]
pub struct Fields<'a> {
    /// The file handle the request acts on.
    pub handle: Option<&'a str>,
    /// The source URL of a store-from-URL or transformation.
    pub url: Option<&'a str>,
    /// The storage path.
    pub path: Option<&'a str>,
    /// The storage container.
    pub container: Option<&'a str>,
    /// The size of the stored upload, in bytes.
    pub size: Option<u64>,
}

impl Fields<'_> {
    /// The refusal of a request field that the application's `fields` function (or, for
    /// `command`, its command function) gave with the wrong type (a `size` that is not a
    /// non-negative integer, a boolean, a string field that is not a string or not
    /// well-formed text): `invalid_command` (400), since such values come from the request
    /// (a JSON body), in every binding alike.
    pub fn wrong_type(name: &str) -> Error {
        let expected = match name {
            "size" => "a non-negative integer below 2^53",
            "command" => "a string or a Command",
            _ => "a string",
        };
        Error::invalid_request(format!("the request's {name} must be {expected}"))
    }
}

impl Verifier {
    /// Checks an HTTP request against `route` as of `now`: reads its credentials (none:
    /// `missing_credentials`), verifies them, then maps the request to the route's command
    /// and authorizes it with `fields`. Every refusal is an [`Error`] whose `http_status`,
    /// `www_authenticate` and `http_body` are what to answer.
    pub fn check_http_at(
        &self,
        route: &Route,
        request: &HttpRequest<'_>,
        fields: &Fields<'_>,
        now: u64,
    ) -> Result<Grant> {
        let (grant, target) = self.authenticated(route, request, now)?;
        authorize(grant, route, request, &target, fields)
    }

    /// The first half of [`Verifier::check_http_at`]: reads the request's credentials and
    /// verifies them (signature, time, the policy's rules), without mapping or
    /// authorizing the request. An adapter whose route takes fields or a command from the
    /// application calls this first, so that the application's functions (which may read
    /// the body) run only for a request whose credentials hold; it then calls
    /// `check_http_at` (a cache hit) with the fields.
    pub fn authenticate_http_at(
        &self,
        route: &Route,
        request: &HttpRequest<'_>,
        now: u64,
    ) -> Result<Grant> {
        self.authenticated(route, request, now)
            .map(|(grant, _)| grant)
    }

    /// The verified grant of the request's credentials, and the target without them.
    fn authenticated<'r>(
        &self,
        route: &Route,
        request: &HttpRequest<'r>,
        now: u64,
    ) -> Result<(Grant, Cow<'r, str>)> {
        let found =
            credentials::read_from(request.authorization, request.target, route.security_task)?;
        let presented = found.presented.ok_or(Error::MissingCredentials)?;
        let nothing = Request::default();
        let grant = match presented {
            Presented::Token(token) => self.verify_token_at(token, &nothing, now),
            Presented::Pair { policy, signature } => {
                self.verify_at(&policy, &signature, &nothing, now)
            }
        }?;
        // Once the credentials hold (401 first, as for traversal), on every route.
        check_target_chars(request.target)?;
        Ok((grant, found.target))
    }
}

/// Maps the request to the route's command and authorizes it, with `fields`, against a
/// grant whose credentials were verified.
fn authorize(
    mut grant: Grant,
    route: &Route,
    request: &HttpRequest<'_>,
    target: &str,
    fields: &Fields<'_>,
) -> Result<Grant> {
    if fields.size.is_some_and(|size| size > MAX_INTEGER) {
        return Err(Fields::wrong_type("size"));
    }
    let command = match (&route.command, request.command) {
        (RouteCommand::PerRequest, Some(command)) => Some(command),
        (RouteCommand::PerRequest, None) => {
            return Err(Error::argument(
                "command",
                "the route's command function gave no command",
            ));
        }
        (_, Some(_)) => {
            return Err(Error::argument(
                "command",
                "the route does not take a command per request",
            ));
        }
        (RouteCommand::None, None) => None,
        (RouteCommand::Fixed(command), None) => Some(CommandRef::Parsed(command)),
        (RouteCommand::Rest, None) => Some(CommandRef::Rest {
            method: request.method,
            target,
        }),
        (RouteCommand::Rpc(mount), None) => Some(CommandRef::Mounted { mount, target }),
    };
    let checked = Request {
        call: route.call.map(Call::as_str),
        handle: fields.handle,
        url: fields.url,
        path: fields.path,
        container: fields.container,
        size: fields.size,
        command,
    };
    if !checked.is_empty() {
        grant.matched = grant.policy.authorize(&checked)?;
    }
    Ok(grant)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::Claims;
    use crate::sign::Signer;

    const SECRET: &[u8] = b"route-test-secret-0123";

    fn token(claims: &Claims<'_>) -> String {
        let creds = Signer::new(SECRET).unwrap().issue_at(claims, 1000).unwrap();
        creds.token().to_owned()
    }

    fn check(route: &Route, target: &str, auth: &[&str], fields: Fields<'_>) -> Result<Grant> {
        let request = HttpRequest {
            method: "POST",
            target,
            authorization: auth,
            command: None,
        };
        Verifier::new(SECRET)
            .unwrap()
            .check_http_at(route, &request, &fields, 1000)
    }

    #[test]
    fn routes_must_name_something_or_say_they_authenticate_only() {
        let code = |b: RouteBuilder| b.build().unwrap_err().field().map(str::to_owned);
        assert_eq!(code(Route::builder()), Some("route".into()));
        assert_eq!(code(Route::builder().fields(true)), Some("route".into()));
        assert_eq!(code(Route::builder().call("delete")), Some("call".into()));
        assert_eq!(
            code(Route::builder().rest().command("id")),
            Some("command".into())
        );
        assert_eq!(
            code(Route::builder().authenticate_only().call("read")),
            Some("authenticate_only".into())
        );
        assert_eq!(
            code(Route::builder().authenticate_only().fields(true)),
            Some("fields".into())
        );
        assert_eq!(
            code(Route::builder().rest().ignore(["stream"])),
            Some("ignore".into())
        );
        assert_eq!(
            code(Route::builder().rpc("/api/v0/")),
            Some("prefix".into())
        );
        assert_eq!(
            code(Route::builder().rpc("/api/v0").ignore(["arg"])),
            Some("ignore".into())
        );
        assert_eq!(
            Route::builder()
                .command("cat /a/../b")
                .build()
                .unwrap_err()
                .code(),
            "invalid_command"
        );
        assert!(Route::builder().authenticate_only().build().is_ok());
        assert!(Route::builder().call("read").fields(true).build().is_ok());
    }

    #[test]
    fn requests_are_checked_against_the_route() {
        let t = token(&Claims {
            call: Some(&["read"]),
            handle: Some("H"),
            ..Claims::default()
        });
        let bearer = format!("Bearer {t}");
        let auth = [bearer.as_str()];
        let read = Route::builder().call("read").fields(true).build().unwrap();
        let handle = Fields {
            handle: Some("H"),
            ..Fields::default()
        };
        assert!(check(&read, "/f/H", &auth, handle).is_ok());
        assert_eq!(
            check(&read, "/f/H", &auth, Fields::default())
                .unwrap_err()
                .field(),
            Some("handle")
        );
        assert_eq!(
            check(&read, "/f/H", &[], handle).unwrap_err(),
            Error::MissingCredentials
        );
        assert_eq!(
            check(&read, "/f/H", &[bearer.as_str(), bearer.as_str()], handle)
                .unwrap_err()
                .code(),
            "malformed"
        );
        let rpc = Route::builder()
            .rpc("/api/v0")
            .ignore(crate::http::KUBO_IGNORE)
            .build()
            .unwrap();
        let t = token(&Claims {
            permissions: Some(&["pin add [--recursive] *"]),
            ..Claims::default()
        });
        let bearer = format!("Bearer {t}");
        let auth = [bearer.as_str()];
        let g = check(
            &rpc,
            "/api/v0/pin/add?arg=Q&recursive=true&stream=true",
            &auth,
            Fields::default(),
        )
        .unwrap();
        assert_eq!(g.matched().unwrap().as_str(), "pin add [--recursive] *");
        // Query credentials are never flags.
        let (p, s) = t.split_once('.').unwrap();
        let g = check(
            &rpc,
            &format!("/api/v0/pin/add?arg=Q&policy={p}&signature={s}"),
            &[],
            Fields::default(),
        )
        .unwrap();
        assert!(g.matched().is_some());
        // Filestack's path task, on a route that opts in; removed before the REST mapping.
        let rest = Route::builder().rest().security_task(true).build().unwrap();
        let files = token(&Claims {
            permissions: Some(&["POST /KEY/H"]),
            ..Claims::default()
        });
        let (p, s) = files.split_once('.').unwrap();
        assert!(
            check(
                &rest,
                &format!("/KEY/security=p:{p},s:{s}/H"),
                &[],
                Fields::default()
            )
            .is_ok()
        );
        let only = Route::builder().authenticate_only().build().unwrap();
        assert!(check(&only, "/anything", &auth, Fields::default()).is_ok());
    }
}
