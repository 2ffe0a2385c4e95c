//! Looking members up in the small JSON objects a resource is made of.
//!
//! `serde_json`'s maps (kept in insertion order) hash the name of every member looked up
//! with SipHash: about a hundred instructions for a name like `userName`, before the
//! probe. A resource's objects hold a handful of members, a User's top level about a
//! dozen, so walking them and comparing lengths first costs less. Past
//! [`WALK_UP_TO`] members the map's own lookup answers.

use serde_json::{Map, Value};

/// The most members an object has for a lookup to walk it rather than hash the name.
const WALK_UP_TO: usize = 16;

/// The member named exactly `name`, as [`Map::get`] finds it.
pub(crate) fn get<'v>(object: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    if object.len() > WALK_UP_TO {
        return object.get(name);
    }
    object
        .iter()
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// The member named exactly `name`, to change, as [`Map::get_mut`] finds it.
pub(crate) fn get_mut<'v>(object: &'v mut Map<String, Value>, name: &str) -> Option<&'v mut Value> {
    if object.len() > WALK_UP_TO {
        return object.get_mut(name);
    }
    object
        .iter_mut()
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// The member `name` in any case: the one named exactly first, else the first whose
/// name matches ignoring ASCII case (RFC 7643 §2.1: attribute names are
/// case-insensitive; a resource the engine canonicalized names them exactly).
pub(crate) fn member<'v>(object: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    if object.len() > WALK_UP_TO {
        return object.get(name).or_else(|| {
            object
                .iter()
                .find_map(|(key, value)| key.eq_ignore_ascii_case(name).then_some(value))
        });
    }
    let mut folded = None;
    for (key, value) in object {
        // Names of another length match neither way.
        if key.len() != name.len() {
            continue;
        }
        if key == name {
            return Some(value);
        }
        if folded.is_none() && key.eq_ignore_ascii_case(name) {
            folded = Some(value);
        }
    }
    folded
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    use super::*;

    fn object(names: &[String]) -> Map<String, Value> {
        names
            .iter()
            .enumerate()
            .map(|(i, name)| (name.clone(), json!(i)))
            .collect()
    }

    /// The reference: the map's own lookup, then the first case-insensitive match.
    fn hashed<'v>(object: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
        object.get(name).or_else(|| {
            object
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
    }

    #[test]
    fn the_exact_name_wins_over_an_earlier_one_in_another_case() {
        let names = ["USERNAME", "userName", "Username"].map(String::from);
        let small = object(&names);
        assert_eq!(member(&small, "userName"), Some(&json!(1)));
        assert_eq!(
            member(&small, "username"),
            Some(&json!(0)),
            "the first in order"
        );
        assert_eq!(get(&small, "username"), None);
        assert_eq!(get(&small, "Username"), Some(&json!(2)));
        assert_eq!(member(&small, "user"), None);
    }

    #[test]
    fn a_large_object_is_looked_up_by_hash_with_the_same_answers() {
        let mut names: Vec<String> = (0..40).map(|i| format!("a{i}")).collect();
        names.push("Title".to_owned());
        names.push("title".to_owned());
        let large = object(&names);
        assert_eq!(member(&large, "title"), Some(&json!(41)));
        assert_eq!(member(&large, "TITLE"), Some(&json!(40)));
        assert_eq!(get(&large, "TITLE"), None);
        assert_eq!(get(&large, "a7"), Some(&json!(7)));
    }

    proptest! {
        /// Whatever the object's size and names, the walk finds what the hash finds.
        #[test]
        fn a_walk_finds_what_the_map_finds(
            names in proptest::collection::vec("[aAbB]{1,3}", 0..24),
            name in "[aAbB]{1,3}",
        ) {
            let object = object(&names);
            prop_assert_eq!(get(&object, &name), object.get(&name));
            let mut copy = object.clone();
            prop_assert_eq!(get_mut(&mut copy, &name).cloned(), object.get(&name).cloned());
            prop_assert_eq!(member(&object, &name), hashed(&object, &name));
        }
    }
}
