use std::future::Future;

use http::StatusCode;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::super::tests::Fixture;
use crate::filter::Projection;
use crate::resource::Resource;
use crate::schema::registry::SchemaRegistry;
use crate::schema::validate::ValidationOptions;
use crate::store::{InMemoryStore, RequestContext, ResourceStore, Retrieved};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The in-memory store never waits: one poll finishes a call.
fn now<F: Future>(future: F) -> F::Output {
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(future).poll(&mut context) {
        std::task::Poll::Ready(out) => out,
        std::task::Poll::Pending => panic!("the in-memory store waited"),
    }
}

/// A store with the RFC 7643 full user (reporting to a manager, with a password) in a
/// group that also holds a nested group, and the group.
struct Data {
    store: InMemoryStore,
    user: String,
    manager: String,
    group: String,
}

fn data() -> Data {
    let registry = SchemaRegistry::with_builtins();
    let users = registry.resource_type("User").unwrap();
    let groups = registry.resource_type("Group").unwrap();
    let store = InMemoryStore::new();
    let ctx = RequestContext::new("acme");
    let create = |rt, body: Value| {
        let resource = Resource::parse_value(body, rt, &ValidationOptions::default()).unwrap();
        let created = now(store.create(&ctx, rt, resource)).unwrap();
        created.id().unwrap().to_owned()
    };
    let manager = create(
        users,
        json!({"userName": "boss", "displayName": "The \"Boss\""}),
    );
    let mut full: Value = serde_json::from_str(include_str!(
        "../../../tests/fixtures/rfc7643_8_2_full_user.json"
    ))
    .unwrap();
    full["schemas"] = json!(["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE]);
    full[ENTERPRISE] = json!({"employeeNumber": "701984", "manager": {"value": manager}});
    full["password"] = json!("t1meMa$heen");
    let user = create(users, full);
    let nested = create(groups, json!({"displayName": "Nested"}));
    let group = create(
        groups,
        json!({"displayName": "Admins",
               "members": [{"value": user}, {"value": nested, "type": "Group"},
                           {"value": manager, "display": "Chosen\nby client"}]}),
    );
    Data {
        store,
        user,
        manager,
        group,
    }
}

/// The body and `ETag` of a response for `id`: from the store's parts (`stored`) or
/// from the whole resource rendered as before.
fn respond(
    data: &Data,
    rt: &str,
    id: &str,
    projection: &Projection,
    stored: bool,
) -> (String, Option<String>) {
    let fixture = Fixture::new(SchemaRegistry::with_builtins());
    let ctx = fixture.context();
    let rt = fixture.registry.resource_type(rt).unwrap();
    let retrieved = now(data
        .store
        .retrieve(&RequestContext::new("acme"), rt, id, &[]))
    .unwrap();
    let response = if stored {
        // The stored form is written, not handed to the general path.
        let (resource, members, parts) = retrieved.parts();
        let mut direct = Vec::new();
        let parts = parts.expect("the in-memory store returns its stored form");
        assert!(
            super::write(
                &ctx,
                rt,
                resource.attributes(),
                members,
                parts,
                projection,
                &mut direct
            )
            .is_ok(),
            "a stored document needs no respelling"
        );
        let response = ctx.retrieved_response(StatusCode::OK, rt, retrieved, projection);
        assert_eq!(response.body().as_ref(), direct.as_slice());
        response
    } else {
        let resource = Retrieved::into_resource(retrieved);
        ctx.resource_response(StatusCode::OK, rt, resource, projection, false)
    };
    let etag = response
        .headers()
        .get(http::header::ETAG)
        .map(|v| v.to_str().unwrap().to_owned());
    (String::from_utf8(response.body().to_vec()).unwrap(), etag)
}

const NAMES: &[&str] = &[
    "userName",
    "name",
    "name.givenName",
    "emails",
    "emails.value",
    "emails.type",
    "groups",
    "groups.display",
    "groups.$ref",
    "members",
    "members.value",
    "members.$ref",
    "members.display",
    "displayName",
    "meta",
    "meta.location",
    "id",
    "schemas",
    "password",
    "addresses.locality",
    "x509Certificates",
    "active",
    "nonexistent",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.$ref",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
];

fn assert_same(data: &Data, projection: &Projection) {
    for (rt, id) in [
        ("User", &data.user),
        ("User", &data.manager),
        ("Group", &data.group),
    ] {
        let stored = respond(data, rt, id, projection, true);
        let rendered = respond(data, rt, id, projection, false);
        assert_eq!(stored, rendered, "{rt} {id} under {projection:?}");
    }
}

#[test]
fn the_stored_form_is_written_as_the_rendered_resource() {
    let data = data();
    assert_same(&data, &Projection::default());
    for name in NAMES {
        assert_same(&data, &Projection::parse(Some(name), None).unwrap());
        assert_same(&data, &Projection::parse(None, Some(name)).unwrap());
    }
    // The comparison has something to compare: references, groups, members, meta.
    let (user, etag) = respond(&data, "User", &data.user, &Projection::default(), true);
    let user: Value = serde_json::from_str(&user).unwrap();
    let base = "https://example.com/scim/v2/acme";
    assert_eq!(
        user[ENTERPRISE]["manager"]["$ref"],
        format!("{base}/Users/{}", data.manager)
    );
    assert_eq!(
        user["groups"][0]["$ref"],
        format!("{base}/Groups/{}", data.group)
    );
    assert_eq!(
        user["meta"]["location"],
        format!("{base}/Users/{}", data.user)
    );
    assert_eq!(etag.as_deref(), user["meta"]["version"].as_str());
    assert!(user.get("password").is_none());
    let (group, _) = respond(&data, "Group", &data.group, &Projection::default(), true);
    let group: Value = serde_json::from_str(&group).unwrap();
    assert_eq!(
        group["members"].as_array().map(Vec::len),
        Some(3),
        "{group}"
    );
    assert_eq!(group["members"][2]["display"], "Chosen\nby client");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_projection_writes_the_stored_form_as_rendered(
        attributes in proptest::sample::subsequence(NAMES, 0..4),
        excluded in proptest::sample::subsequence(NAMES, 0..4),
    ) {
        let data = data();
        let join = |names: &[&str]| (!names.is_empty()).then(|| names.join(","));
        let projection = Projection::parse(join(&attributes).as_deref(), join(&excluded).as_deref()).unwrap();
        assert_same(&data, &projection);
    }
}
