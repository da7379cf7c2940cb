//! Permission parsing: no panic, positions inside the text, and print → parse identity.

#![no_main]

use capsign::{Command, Permission};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: (&str, &str)| {
    let (text, command) = data;
    match Permission::parse(text) {
        Ok(permission) => {
            let printed = permission.to_string();
            let again = Permission::parse(&printed).unwrap_or_else(|e| panic!("{printed:?}: {e}"));
            assert_eq!(again, permission, "{text:?} printed as {printed:?}");
            assert_eq!(again.to_string(), printed);
            if let Ok(command) = Command::parse(command) {
                let _ = permission.matches(&command);
            }
        }
        Err(e) => {
            assert_eq!(e.code(), "invalid_permission");
            assert!(e.position().is_some_and(|p| p <= text.len()), "{e}");
        }
    }
});
