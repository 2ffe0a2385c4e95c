//! Filters and PATCH paths from untrusted input: parsing never panics or overflows
//! the stack, the canonical text of whatever parses parses back to the same AST,
//! and checking and evaluating a parsed filter never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scim_core::{Filter, Resource, SchemaRegistry, filter::{FilterOptions, PatchPath}};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Canonical text may be longer than the input (quotes, escapes): no length limit.
    let mut reparse = FilterOptions::strict();
    reparse.max_length = usize::MAX;

    for opts in [FilterOptions::default(), FilterOptions::strict()] {
        if let Ok(filter) = Filter::parse_with(text, &opts) {
            let canonical = filter.to_string();
            let again = Filter::parse_with(&canonical, &reparse);
            assert_eq!(again.as_ref(), Ok(&filter), "{canonical}");

            let registry = SchemaRegistry::with_builtins();
            let users = registry.resource_type("User").expect("built-in User");
            let _ = filter.check(users, &opts);
            let user = Resource::from_value_unchecked(
                "User",
                serde_json::json!({
                    "id": "1", "userName": "bjensen", "active": true, "title": "",
                    "emails": [{"value": "b@x.org", "type": "work", "primary": true}],
                    "meta": {"lastModified": "2011-05-13T04:42:34Z"},
                }),
            )
            .expect("an object");
            let _ = filter.matches(&user, users);
        }
        if let Ok(path) = PatchPath::parse_with(text, &opts) {
            let canonical = path.to_string();
            let again = PatchPath::parse_with(&canonical, &reparse);
            assert_eq!(again.as_ref(), Ok(&path), "{canonical}");
        }
    }
});
