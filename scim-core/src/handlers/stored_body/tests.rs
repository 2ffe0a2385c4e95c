use std::future::Future;

use http::StatusCode;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::super::tests::Fixture;
use super::super::{Context, RequestBody};
use crate::filter::Projection;
use crate::resource::Resource;
use crate::schema::definition::ResourceType;
use crate::schema::registry::SchemaRegistry;
use crate::schema::validate::ValidationOptions;
use crate::store::retrieved::StoredParts;
use crate::store::{InMemoryStore, Query, RequestContext, ResourceStore, Retrieved, Version};
use crate::wire::query::ListParams;

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

/// The stored form written directly; `Err` when it is left to the general path.
fn write_direct(
    ctx: &Context<'_>,
    rt: &ResourceType,
    retrieved: &Retrieved,
    projection: &Projection,
) -> Result<Vec<u8>, super::General> {
    let version = retrieved.version().unwrap_or_default();
    let mut out = Vec::new();
    super::write(ctx, rt, retrieved, &version, projection, &mut out)?;
    Ok(out)
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
        assert!(
            retrieved.parts().2.is_some(),
            "the in-memory store returns its stored form"
        );
        let direct = write_direct(&ctx, rt, &retrieved, projection)
            .unwrap_or_else(|_| panic!("a stored document needs no respelling"));
        let response = ctx.retrieved_response(StatusCode::OK, rt, retrieved, projection, false);
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

/// A document as a store could hold it, with the parts kept apart.
fn stored(doc: Value) -> Retrieved {
    let Value::Object(doc) = doc else {
        panic!("a document is an object")
    };
    stored_resource(Resource::new_unchecked("User", doc))
}

/// [`stored`], of a resource already made.
fn stored_resource(resource: Resource) -> Retrieved {
    let parts = StoredParts {
        id: "u1".into(),
        created: crate::store::Stamp::new("2026-01-01T00:00:00Z"),
        last_modified: crate::store::Stamp::new("2026-01-02T00:00:00Z"),
        version: Version(3),
        groups: {
            let mut groups = crate::store::MemberRows::new();
            groups.push("g1", Some("direct"), Some("G"));
            groups
        },
    };
    Retrieved::stored(resource, parts, crate::store::MemberRows::new())
}

#[test]
fn odd_documents_are_written_as_rendered_or_left_to_the_general_path() {
    let fixture = Fixture::new(SchemaRegistry::with_builtins());
    let ctx = fixture.context();
    let users = fixture.registry.resource_type("User").unwrap();
    let body = |retrieved: Retrieved, projection: &Projection| {
        let stored =
            ctx.retrieved_response(StatusCode::OK, users, retrieved.clone(), projection, false);
        let rendered = ctx.resource_response(
            StatusCode::OK,
            users,
            retrieved.into_resource(),
            projection,
            false,
        );
        assert_eq!(stored.body(), rendered.body());
        String::from_utf8(stored.body().to_vec()).unwrap()
    };
    // A `$ref` already there is replaced where it stands; an item that is no object is
    // kept, an empty one dropped.
    let odd = stored(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": "odd",
        "emails": [{"value": "a@example.com"}, "not an object", {}],
        ENTERPRISE: {"manager": {"$ref": "stale", "value": "m1"}},
    }));
    assert!(write_direct(&ctx, users, &odd, &Projection::default()).is_ok());
    let text = body(odd.clone(), &Projection::default());
    assert!(
        text.contains(
            r#""manager":{"$ref":"https://example.com/scim/v2/acme/Users/m1","value":"m1"}"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#""emails":[{"value":"a@example.com"},"not an object"]"#),
        "{text}"
    );
    assert!(
        text.contains(r#""$ref":"https://example.com/scim/v2/acme/Groups/g1""#),
        "{text}"
    );
    for projection in [
        Projection::parse(Some("emails"), None).unwrap(),
        Projection::parse(None, Some("groups.$ref")).unwrap(),
    ] {
        body(odd.clone(), &projection);
    }

    // Simple values of every JSON kind, where a client or a store put them: written as
    // `serde_json` writes them, escapes included.
    let kinds = stored(json!({
        "userName": "kinds",
        "displayName": "tab\there \"quoted\" back\\slash é \u{1}",
        "active": false,
        "nickName": 5,
        "title": [1, "x\n", true, null, [2.5, "y"], {"a": "b"}],
        "userType": {"a": 1},
        "locale": null,
        "timezone": [],
    }));
    for projection in [
        Projection::default(),
        Projection::parse(Some("title,displayName"), None).unwrap(),
    ] {
        body(kinds.clone(), &projection);
    }

    // A name in another spelling than its attribute's: the general path respells it.
    for doc in [
        json!({"USERNAME": "odd"}),
        json!({"userName": "odd", ENTERPRISE: {"EmployeeNumber": "7"}}),
    ] {
        let respelled = stored(doc);
        assert!(write_direct(&ctx, users, &respelled, &Projection::default()).is_err());
        body(respelled.clone(), &Projection::default());
    }
}

/// The `ListResponse` built whole, as the engine built it before lists were written from
/// the stored form: the store's whole resources, each rendered, in one `Value`.
fn list_as_rendered(
    ctx: &Context<'_>,
    rt: &ResourceType,
    params: &ListParams,
    cursor: bool,
) -> Vec<u8> {
    let projection = super::super::projection(ctx.config, params).unwrap();
    let response = now(super::super::list::list(ctx, rt, params)).unwrap();
    let written: Value = serde_json::from_slice(response.body()).unwrap();
    // The same query the handler made, to the store's whole-resource method.
    let mut query = Query {
        start_index: params.start_index(),
        count: Some(params.count(100, 1000)),
        filter: params
            .filter
            .as_deref()
            .map(|f| f.parse::<crate::filter::Filter>().unwrap()),
        sort: params.sort_by.as_deref().map(|by| crate::filter::Sort {
            by: by.parse().unwrap(),
            order: crate::filter::SortOrder::Ascending,
        }),
        attributes: params
            .attributes
            .iter()
            .filter_map(|n| n.parse().ok())
            .collect(),
        excluded_attributes: params
            .excluded_attributes
            .iter()
            .filter_map(|n| n.parse().ok())
            .collect(),
        ..Query::default()
    };
    query.cursor = params.cursor.clone();
    let result = now(ctx.store.query(&ctx.store_ctx, rt, &query)).unwrap();
    let resources: Vec<Value> = result
        .resources
        .into_iter()
        .map(|r| ctx.render(rt, r, &projection))
        .collect();
    let mut expected = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": result.total_results,
        "itemsPerPage": resources.len(),
    });
    let map = expected.as_object_mut().unwrap();
    if cursor {
        if let Some(next) = result.next_cursor {
            map.insert("nextCursor".into(), Value::String(next));
        }
    } else {
        map.insert("startIndex".into(), json!(params.start_index()));
    }
    map.insert("Resources".into(), Value::Array(resources));
    assert_eq!(written, expected, "{params:?}");
    let expected = serde_json::to_vec(&expected).unwrap();
    assert_eq!(
        String::from_utf8_lossy(response.body()),
        String::from_utf8_lossy(&expected),
        "{params:?}"
    );
    expected
}

#[test]
fn a_list_is_written_as_the_rendered_list_response() {
    let data = data();
    let mut fixture = Fixture::new(SchemaRegistry::with_builtins());
    fixture.config.cursor_paging = true;
    let mut ctx = fixture.context();
    ctx.store = &data.store;
    let users = fixture.registry.resource_type("User").unwrap();
    let groups = fixture.registry.resource_type("Group").unwrap();
    let params = |filter: Option<&str>, sort: Option<&str>, start: Option<i64>, count| ListParams {
        filter: filter.map(str::to_owned),
        sort_by: sort.map(str::to_owned),
        start_index: start,
        count,
        ..ListParams::default()
    };
    let shapes = [
        params(None, None, None, None),
        params(Some(r#"userName eq "boss""#), None, None, None),
        params(Some("displayName pr"), Some("displayName"), None, None),
        params(None, None, Some(2), Some(1)),
        params(Some(r#"userName eq "nobody""#), None, None, None),
        params(None, None, None, Some(0)),
    ];
    let mut groups_seen = false;
    for shape in &shapes {
        for name in NAMES.iter().copied().map(Some).chain([None]) {
            for excluded in [false, true] {
                let mut shape = shape.clone();
                let names = name.map(|n| vec![n.to_owned()]).unwrap_or_default();
                if excluded {
                    shape.excluded_attributes = names;
                } else {
                    shape.attributes = names;
                }
                list_as_rendered(&ctx, users, &shape, false);
                let body = list_as_rendered(&ctx, groups, &shape, false);
                groups_seen |= String::from_utf8_lossy(&body).contains("Chosen\\nby client");
            }
        }
    }
    assert!(groups_seen, "a listed group's member rows were compared");
    // A cursor walk: no startIndex, the next page's cursor while pages follow.
    let mut cursor = Some(String::new());
    let mut pages = 0;
    while let Some(at) = cursor.take() {
        let mut walk = params(None, None, None, Some(1));
        walk.cursor = Some(at);
        let body = list_as_rendered(&ctx, users, &walk, true);
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert!(body.get("startIndex").is_none());
        cursor = body["nextCursor"].as_str().map(str::to_owned);
        pages += 1;
    }
    assert_eq!(pages, 2, "two users, one per page");
}

/// Checks that a write's response is, body and headers, the one the stored resource
/// rendered whole gives (with `Location` for a create).
fn assert_answered_as_rendered(
    ctx: &Context<'_>,
    rt: &ResourceType,
    response: &http::Response<bytes::Bytes>,
    status: StatusCode,
) {
    assert_eq!(response.status(), status);
    let written: Value = serde_json::from_slice(response.body()).unwrap();
    let id = written["id"].as_str().unwrap();
    let stored = now(ctx.store.get(&ctx.store_ctx, rt, id)).unwrap();
    let created = status == StatusCode::CREATED;
    let rendered = ctx.resource_response(status, rt, stored, &Projection::default(), created);
    assert_eq!(
        String::from_utf8_lossy(response.body()),
        String::from_utf8_lossy(rendered.body())
    );
    assert_eq!(response.headers(), rendered.headers());
    assert!(response.headers().contains_key(http::header::ETAG));
    assert_eq!(
        response.headers().contains_key(http::header::LOCATION),
        created
    );
}

#[test]
fn a_created_resource_is_answered_as_the_rendered_resource() {
    let data = data();
    let fixture = Fixture::new(SchemaRegistry::with_builtins());
    let mut ctx = fixture.context();
    ctx.store = &data.store;
    let users = fixture.registry.resource_type("User").unwrap();
    let groups = fixture.registry.resource_type("Group").unwrap();
    let bodies = [
        (
            users,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
                   "userName": "new", "emails": [{"value": "n@example.com", "type": "work"}],
                   ENTERPRISE: {"manager": {"value": data.manager}}}),
        ),
        (
            groups,
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                   "displayName": "Created",
                   "members": [{"value": data.user}, {"value": data.group, "type": "Group"}]}),
        ),
    ];
    for (rt, body) in bodies {
        let body = RequestBody::of(serde_json::to_vec(&body).unwrap());
        let response = now(super::super::create::create(&ctx, rt, body)).unwrap();
        assert_answered_as_rendered(&ctx, rt, &response, StatusCode::CREATED);
    }
}

#[test]
fn a_patched_resource_is_answered_as_the_rendered_resource() {
    let data = data();
    let fixture = Fixture::new(SchemaRegistry::with_builtins());
    let mut ctx = fixture.context();
    ctx.store = &data.store;
    let users = fixture.registry.resource_type("User").unwrap();
    let groups = fixture.registry.resource_type("Group").unwrap();
    let op = |op: &str, path: &str, value: Value| {
        serde_json::to_vec(&json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": op, "path": path, "value": value}]}))
        .unwrap()
    };
    let cases = [
        (users, &data.user, op("replace", "title", json!("Chief"))),
        (
            groups,
            &data.group,
            op("add", "members", json!([{"value": data.manager}])),
        ),
        (
            groups,
            &data.group,
            op("replace", "displayName", json!("Renamed")),
        ),
    ];
    for (rt, id, body) in cases {
        let body = RequestBody::of(body.clone());
        let response = now(super::super::patch::patch(&ctx, rt, id, body)).unwrap();
        assert_answered_as_rendered(&ctx, rt, &response, StatusCode::OK);
    }
}

/// What a response wrote of `retrieved`'s document and kept with it, if anything.
fn kept(retrieved: &Retrieved) -> Option<(u64, Vec<u8>)> {
    let (resource, _, _) = retrieved.parts();
    resource
        .written()
        .get()
        .map(|written| (written.writer, written.bytes.to_vec()))
}

fn retrieve(data: &Data, ctx: &Context<'_>, rt: &str, id: &str) -> Retrieved {
    let rt = ctx.registry.resource_type(rt).unwrap();
    now(data.store.retrieve(&ctx.store_ctx, rt, id, &[])).unwrap()
}

#[test]
fn a_documents_body_is_kept_and_used_by_the_server_that_wrote_it_only() {
    let data = data();
    let fixture = Fixture::new(SchemaRegistry::with_builtins());
    let ctx = fixture.context();
    let users = fixture.registry.resource_type("User").unwrap();
    let default = Projection::default();
    let first = retrieve(&data, &ctx, "User", &data.manager);
    assert_eq!(kept(&first), None);
    let written = write_direct(&ctx, users, &first, &default).unwrap_or_else(|_| panic!());
    // Kept with the stored document itself: the next retrieval shares it.
    let (writer, bytes) = kept(&retrieve(&data, &ctx, "User", &data.manager)).unwrap();
    assert_eq!(writer, ctx.writer);
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        r#","userName":"boss","displayName":"The \"Boss\"""#
    );
    let again = write_direct(&ctx, users, &first, &default).unwrap_or_else(|_| panic!());
    assert_eq!(again, written);

    // What is kept is what the next response copies (seen by planting other bytes), and
    // only for the server that wrote it.
    let planted = |writer| {
        let resource = Resource::from_value_unchecked("User", json!({"userName": "real"})).unwrap();
        let _ = resource.written().set(crate::resource::Written {
            writer,
            bytes: b",\"planted\":1".as_slice().into(),
            id_at: 0,
        });
        let retrieved = stored_resource(resource);
        let body = write_direct(&ctx, users, &retrieved, &default).unwrap_or_else(|_| panic!());
        String::from_utf8(body).unwrap()
    };
    assert!(planted(ctx.writer).contains(r#""id":"u1","planted":1,"groups""#));
    let other = planted(ctx.writer + 1_000_000);
    assert!(!other.contains("planted"), "{other}");
    assert!(other.contains(r#""userName":"real""#), "{other}");
}

/// `schemas` first is kept with the rest; the `id` between them is not (the record holds
/// it, not the document) but written in its place each time.
#[test]
fn the_id_is_written_in_its_place_between_kept_bytes() {
    const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
    let fixture = Fixture::new(SchemaRegistry::with_builtins());
    let ctx = fixture.context();
    let users = fixture.registry.resource_type("User").unwrap();
    let default = Projection::default();
    let resource = Resource::from_value_unchecked(
        "User",
        json!({"schemas": [USER], "userName": "bjensen", "active": true}),
    )
    .unwrap();
    let retrieved = stored_resource(resource);
    let fresh = write_direct(&ctx, users, &retrieved, &default).unwrap_or_else(|_| panic!());
    let fresh = String::from_utf8(fresh).unwrap();
    let (_, bytes) = kept(&retrieved).unwrap();
    let schemas = format!(r#""schemas":["{USER}"]"#);
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        format!(r#"{schemas},"userName":"bjensen","active":true"#)
    );
    let again = write_direct(&ctx, users, &retrieved, &default).unwrap_or_else(|_| panic!());
    assert_eq!(String::from_utf8(again).unwrap(), fresh);
    assert!(
        fresh.starts_with(&format!(r#"{{{schemas},"id":"u1","userName":"bjensen","#)),
        "{fresh}"
    );

    // The id goes where `id_at` says, after a comma when something comes before it.
    let planted = |bytes: &[u8], id_at| {
        let resource = Resource::from_value_unchecked("User", json!({"userName": "real"})).unwrap();
        let _ = resource.written().set(crate::resource::Written {
            writer: ctx.writer,
            bytes: bytes.into(),
            id_at,
        });
        let body = write_direct(&ctx, users, &stored_resource(resource), &default)
            .unwrap_or_else(|_| panic!());
        String::from_utf8(body).unwrap()
    };
    let body = planted(br#""a":1,"b":2"#, 5);
    assert!(
        body.starts_with(r#"{"a":1,"id":"u1","b":2,"groups""#),
        "{body}"
    );
    // An `id_at` past the bytes (never kept so) is not trusted: the document is written.
    let body = planted(br#""a":1"#, 9);
    assert!(
        body.starts_with(r#"{"id":"u1","userName":"real","#),
        "{body}"
    );
}

#[test]
fn a_body_that_depends_on_the_request_is_not_kept() {
    let data = data();
    let fixture = Fixture::new(SchemaRegistry::with_builtins());
    let mut ctx = fixture.context();
    let users = fixture.registry.resource_type("User").unwrap();
    // The full user's manager has a `$ref`, which holds the request's base URL.
    let full = retrieve(&data, &ctx, "User", &data.user);
    for base in [
        "https://a.example/scim/v2/acme",
        "https://b.example/scim/v2/acme",
    ] {
        ctx.base = base.to_owned();
        let body =
            write_direct(&ctx, users, &full, &Projection::default()).unwrap_or_else(|_| panic!());
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            body[ENTERPRISE]["manager"]["$ref"],
            format!("{base}/Users/{}", data.manager)
        );
        assert_eq!(kept(&full), None);
    }
    // Nor the body of a response to a write (a create, a PATCH, a `.search`): only reads
    // keep what they write.
    let manager = retrieve(&data, &ctx, "User", &data.manager);
    for method in [http::Method::POST, http::Method::PATCH, http::Method::PUT] {
        let mut writing = Fixture::new(SchemaRegistry::with_builtins());
        writing.parts.method = method;
        let writing_ctx = writing.context();
        write_direct(&writing_ctx, users, &manager, &Projection::default())
            .unwrap_or_else(|_| panic!());
        assert_eq!(kept(&manager), None);
    }
    // Nor a body under `attributes` or `excludedAttributes`.
    let manager = retrieve(&data, &ctx, "User", &data.manager);
    for projection in [
        Projection::parse(Some("userName"), None).unwrap(),
        Projection::parse(None, Some("displayName")).unwrap(),
    ] {
        write_direct(&ctx, users, &manager, &projection).unwrap_or_else(|_| panic!());
        assert_eq!(kept(&manager), None);
    }
}

#[test]
fn a_change_is_answered_and_read_back_as_changed_once_a_body_was_kept() {
    let data = data();
    let fixture = Fixture::new(SchemaRegistry::with_builtins());
    let mut ctx = fixture.context();
    ctx.store = &data.store;
    let users = fixture.registry.resource_type("User").unwrap();
    let read = |ctx: &Context<'_>| {
        let retrieved = retrieve(&data, ctx, "User", &data.manager);
        let response = ctx.retrieved_response(
            StatusCode::OK,
            users,
            retrieved,
            &Projection::default(),
            false,
        );
        serde_json::from_slice::<Value>(response.body()).unwrap()
    };
    assert_eq!(read(&ctx)["displayName"], "The \"Boss\"");
    assert!(kept(&retrieve(&data, &ctx, "User", &data.manager)).is_some());
    let patch = serde_json::to_vec(&json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "displayName", "value": "Chief"}]}))
    .unwrap();
    let response = now(super::super::patch::patch(
        &ctx,
        users,
        &data.manager,
        RequestBody::of(patch),
    ))
    .unwrap();
    let patched: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(patched["displayName"], "Chief");
    assert_eq!(read(&ctx)["displayName"], "Chief");
    let replaced = serde_json::to_vec(&json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "boss", "displayName": "Replaced"}))
    .unwrap();
    let response = now(super::super::replace::replace(
        &ctx,
        users,
        &data.manager,
        RequestBody::of(replaced),
    ))
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(read(&ctx)["displayName"], "Replaced");
}

#[test]
fn a_body_over_the_size_kept_is_written_each_time() {
    let fixture = Fixture::new(SchemaRegistry::with_builtins());
    let ctx = fixture.context();
    let users = fixture.registry.resource_type("User").unwrap();
    let body = |display: &str| {
        let retrieved = stored(json!({"userName": "b", "displayName": display}));
        let written = write_direct(&ctx, users, &retrieved, &Projection::default())
            .unwrap_or_else(|_| panic!());
        (retrieved, written)
    };
    // Just under the limit (with `,"userName":"b","displayName":""`), kept.
    let (small, _) = body(&"x".repeat(super::MAX_KEPT - 32));
    assert!(kept(&small).is_some());
    // Over it: written as ever, and not kept.
    let large_display = "x".repeat(super::MAX_KEPT);
    let (large, written) = body(&large_display);
    assert_eq!(kept(&large), None);
    assert!(String::from_utf8(written).unwrap().contains(&large_display));
}
