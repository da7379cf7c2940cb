//! The one mapping from the core's errors to JavaScript errors.
//!
//! Every error is a `CapsignError` (the class `index.js` registers once, a subclass of
//! `Error`) whose `code` is the core's stable code, with `field`, `position`, `status` (the
//! HTTP status the middleware answers with) and `challenge` (the matching
//! `WWW-Authenticate` value) from the core. The core's error decides everything.

use napi::bindgen_prelude::*;
use napi_derive::napi;

/// The JavaScript class of capsign's errors, held for the addon's environment.
struct ErrorClass(FunctionRef<String, ()>);

/// Registers `error_class` as the class of every error thrown from here (once: `index.js` does
/// it as it loads; a second registration is refused).
#[napi]
pub fn register_error_class(env: &Env, error_class: Function<'_, String, ()>) -> Result<()> {
    if env.get_instance_data::<ErrorClass>()?.is_some() {
        return Err(napi::Error::from_reason(
            "capsign: the error class is already registered",
        ));
    }
    env.set_instance_data(ErrorClass(error_class.create_ref()?), (), |_| {})
}

/// Turns core errors into thrown JavaScript errors.
pub(crate) trait OrThrow<T> {
    fn or_throw(self, env: &Env) -> Result<T>;
}

impl<T> OrThrow<T> for std::result::Result<T, capsign::Error> {
    fn or_throw(self, env: &Env) -> Result<T> {
        self.map_err(|e| throw(env, &e))
    }
}

fn throw(env: &Env, e: &capsign::Error) -> napi::Error {
    let thrown = build(env, e).and_then(|object| env.throw(object));
    match thrown {
        Ok(()) => napi::Error::from_status(Status::PendingException),
        Err(failed) => failed,
    }
}

fn build<'env>(env: &'env Env, e: &capsign::Error) -> Result<Object<'env>> {
    // The class names itself (`CapsignError.prototype.name`); without it (the addon
    // loaded on its own), a plain `Error` carries the name.
    let mut object = match env.get_instance_data::<ErrorClass>()? {
        Some(ErrorClass(class)) => {
            Object::from_unknown(class.borrow_back(env)?.new_instance(e.to_string())?)?
        }
        None => {
            let mut plain = env.create_error(napi::Error::from_reason(e.to_string()))?;
            plain.set("name", "CapsignError")?;
            plain
        }
    };
    object.set("code", e.code())?;
    object.set("field", e.field())?;
    object.set(
        "position",
        e.position().map(|p| u32::try_from(p).unwrap_or(u32::MAX)),
    )?;
    object.set("status", u32::from(e.http_status()))?;
    object.set("challenge", e.www_authenticate())?;
    object.set("body", e.http_body())?;
    Ok(object)
}
