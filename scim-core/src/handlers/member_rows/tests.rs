use http::StatusCode;
use serde_json::{Value, json};

use super::super::tests::Fixture;
use crate::filter::Projection;
use crate::resource::Resource;
use crate::schema::registry::SchemaRegistry;
use crate::store::{MemberRows, Retrieved};

fn group() -> Retrieved {
    let resource = Resource::from_value_unchecked(
        "Group",
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "id": "g1",
            "displayName": "Admins",
            "meta": {"resourceType": "Group", "created": "2026-01-01T00:00:00Z",
                     "lastModified": "2026-01-01T00:00:00Z", "version": "W/\"3\""}
        }),
    )
    .unwrap();
    let mut members = MemberRows::new();
    members.push("u1", Some("User"), Some("Babs \"B\" Jensen ✓"));
    members.push("u2", Some("User"), None);
    members.push("g2", Some("Group"), Some("Nested"));
    members.push("u3", Some("User"), Some("Carol\nline\t\u{1}\\end"));
    // No type: `$ref` falls back to the first type `$ref` may name.
    members.push("x1", None, Some("Untyped"));
    // A type the server does not know: the same fallback.
    members.push("d1", Some("Device"), None);
    // An id JSON must escape, in `value` and in `$ref`.
    members.push("q\"1\\", Some("User"), None);
    Retrieved::with_members(resource, members)
}

fn respond(retrieved: Retrieved, projection: &Projection, rows: bool) -> (Value, Option<String>) {
    let fixture = Fixture::new(SchemaRegistry::with_builtins());
    let ctx = fixture.context();
    let registry = &fixture.registry;
    let groups = registry.resource_type("Group").unwrap();
    let response = if rows {
        ctx.retrieved_response(StatusCode::OK, groups, retrieved, projection, false)
    } else {
        let resource = retrieved.into_resource();
        ctx.resource_response(StatusCode::OK, groups, resource, projection, false)
    };
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response
        .headers()
        .get(http::header::ETAG)
        .map(|v| v.to_str().unwrap().to_owned());
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    // The key order is part of "the same body": compare the bytes too.
    let text = String::from_utf8(response.body().to_vec()).unwrap();
    (json!({"body": body, "text": text}), etag)
}

#[test]
fn members_written_from_rows_equal_the_rendered_document_under_every_projection() {
    let projections = [
        (None, None),
        (Some("members"), None),
        (Some("members.value"), None),
        (Some("members.display"), None),
        (Some("members.$ref"), None),
        (Some("members.type"), None),
        (Some("displayName"), None),
        (Some("displayName,members.display"), None),
        (
            Some("urn:ietf:params:scim:schemas:core:2.0:Group:members"),
            None,
        ),
        (None, Some("members")),
        (None, Some("members.display")),
        (None, Some("members.value,members.$ref")),
        (
            None,
            Some("members.value,members.$ref,members.type,members.display"),
        ),
        (None, Some("displayName")),
    ];
    for (attributes, excluded) in projections {
        let projection = Projection::parse(attributes, excluded).unwrap();
        let from_rows = respond(group(), &projection, true);
        let from_document = respond(group(), &projection, false);
        assert_eq!(from_rows, from_document, "{attributes:?} / {excluded:?}");
    }
}

#[test]
fn members_carry_their_ref_display_and_type_in_order() {
    let (out, etag) = respond(group(), &Projection::default(), true);
    assert_eq!(etag.as_deref(), Some("W/\"3\""));
    let members = &out["body"]["members"];
    assert_eq!(
        members[0],
        json!({"value": "u1", "display": "Babs \"B\" Jensen ✓", "type": "User",
               "$ref": "https://example.com/scim/v2/acme/Users/u1"})
    );
    assert_eq!(
        members[2]["$ref"],
        "https://example.com/scim/v2/acme/Groups/g2"
    );
    assert_eq!(
        members[4]["$ref"],
        "https://example.com/scim/v2/acme/Users/x1"
    );
    assert_eq!(
        members[5]["$ref"],
        "https://example.com/scim/v2/acme/Users/d1"
    );
    assert_eq!(members.as_array().map(Vec::len), Some(7));
    assert_eq!(
        members[6]["$ref"],
        "https://example.com/scim/v2/acme/Users/q\"1\\"
    );
    let keys: Vec<&str> = out["body"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // `serde_json`'s map keeps insertion order here; the text pins it as written.
    let text = out["text"].as_str().unwrap();
    assert!(text.find("\"members\"") < text.find("\"meta\""), "{text}");
    assert!(keys.contains(&"members") && keys.contains(&"meta"));
}

#[test]
fn a_projection_that_keeps_nothing_of_any_member_leaves_members_out() {
    let group = group();
    let mut members = MemberRows::new();
    for row in group.members().iter() {
        members.push(row.value, row.kind, None);
    }
    let mut resource = group.into_resource();
    resource.attributes_mut().shift_remove("members");
    let retrieved = Retrieved::with_members(resource, members);
    let projection = Projection::parse(Some("members.display"), None).unwrap();
    let (out, _) = respond(retrieved, &projection, true);
    assert_eq!(out["body"].get("members"), None, "{}", out["text"]);
    assert_eq!(out["body"]["id"], "g1");
}

proptest::proptest! {
    #[test]
    fn strings_are_written_as_serde_json_writes_them(text in "(\\PC|[\\x00-\\x1f\"\\\\\\x7f])*") {
        let mut out = Vec::new();
        super::write_str(&mut out, &text).unwrap();
        proptest::prop_assert_eq!(out, serde_json::to_vec(&text).unwrap());
    }
}

#[test]
fn a_character_json_escapes_is_found_wherever_it_stands() {
    for special in ['"', '\\', '\n', '\u{0}', '\u{1f}'] {
        for at in 0..17 {
            let mut text: String = "abcdefghijklmnopq".to_owned();
            text.replace_range(at..=at, &special.to_string());
            assert!(
                !super::needs_no_escape(text.as_bytes()),
                "{special:?} at {at}"
            );
        }
    }
    for plain in [
        "",
        "https://example.com/scim/v2/acme/Users/",
        "Zoë ✓ \u{7f} space ~",
    ] {
        assert!(super::needs_no_escape(plain.as_bytes()), "{plain:?}");
    }
}

#[test]
fn a_large_group_s_body_fits_the_room_reserved_for_it() {
    // The body is allocated once: its size is estimated from the rows, neither short of
    // what is written (a regrowth copies megabytes) nor far past it.
    let mut members = MemberRows::new();
    // Long displays and a long (unknown) type, so that every part of the estimate counts.
    for n in 0..2_000 {
        let id = format!("{n:08}-aaaa-bbbb-cccc-{n:012}");
        let display = format!("A member with a rather long display name {n:05}");
        members.push(&id, Some("ExternalDirectoryAccountHolder"), Some(&display));
    }
    let hint = super::MembersJson::size_hint(&members);
    let resource = group().into_resource();
    let mut resource_without = resource.clone();
    resource_without.attributes_mut().shift_remove("members");
    let (out, _) = respond(
        Retrieved::with_members(resource_without, members),
        &Projection::default(),
        true,
    );
    let written = out["text"].as_str().unwrap().len();
    assert!(
        written <= 1024 + hint,
        "{written} bytes written, {hint} reserved"
    );
    assert!(hint <= 2 * written, "{hint} reserved for {written} bytes");
}
