//! Commands from text and from both HTTP mappings: no panic, normalized paths only, and
//! print → parse identity.

#![no_main]

use capsign::{Command, http};
use libfuzzer_sys::fuzz_target;

fn check(command: &Command) {
    for arg in command.args() {
        if arg.starts_with('/') {
            assert!(
                !arg.contains("//") && !arg.contains('%') && !arg.contains('\\'),
                "{arg:?}"
            );
            if arg != "/" {
                assert!(!arg.ends_with('/'), "{arg:?}");
                assert!(
                    arg[1..].split('/').all(|s| s != "." && s != ".."),
                    "{arg:?}"
                );
            }
        }
        assert!(!arg.chars().any(char::is_control), "{arg:?}");
    }
    let printed = command.to_string();
    let again = Command::parse(&printed).unwrap_or_else(|e| panic!("{printed:?}: {e}"));
    assert_eq!(&again, command, "printed as {printed:?}");
}

fuzz_target!(|data: (&str, &str, &str)| {
    let (text, method, target) = data;
    for command in [
        Command::parse(text),
        http::rest(method, target),
        http::rpc("/api/v0", target),
        http::rpc("", target),
    ]
    .into_iter()
    .flatten()
    {
        check(&command);
    }
});
