//! Passwords (RFC 7643 §4.1.1, §7; RFC 7644 §3.5.1): hashed before the store sees them in
//! every request shape, never returned, never filtered or sorted on, kept by a `PUT` that
//! omits them; without a hasher, never stored.

use std::sync::Arc;

use scim_core::password::Argon2Hasher;
use scim_core::{InMemoryStore, RequestContext, ResourceStore, ScimServer};
use serde_json::{Value, json};

use super::{USER, filter, form, id, patch_op, user};
use crate::client::Client;
use crate::harness::{Harness, fixture_server_with};

const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

/// A server whose store the case can read, with a password hasher or without.
struct Site<H> {
    acme: Client<H>,
    server: ScimServer,
    store: Arc<InMemoryStore>,
    hasher: Option<Argon2Hasher>,
}

impl<H: Harness> Site<H> {
    /// With the real argon2id hasher, at parameters cheap enough for tests.
    fn with_hasher() -> Self {
        Self::new(Some(
            Argon2Hasher::with_params(64, 1, 1).expect("valid parameters"),
        ))
    }

    fn without_hasher() -> Self {
        Self::new(None)
    }

    fn new(hasher: Option<Argon2Hasher>) -> Self {
        let store = Arc::new(InMemoryStore::new());
        let server = fixture_server_with(|builder| {
            let builder = builder.store_arc(store.clone());
            match &hasher {
                Some(hasher) => builder.password_hasher(hasher.clone()),
                None => builder,
            }
        });
        Self {
            acme: Client::new(H::mount(server.clone())),
            server,
            store,
            hasher,
        }
    }

    /// What the store holds as the user's password.
    async fn stored(&self, user_id: &str) -> Option<Value> {
        let users = self.server.registry().resource_type("User").expect("User");
        let user = self
            .store
            .get(&RequestContext::new("acme"), users, user_id)
            .await
            .expect("the user is stored");
        user.get("password").cloned()
    }

    /// The store holds an argon2id hash of `clear`, never `clear` itself.
    async fn assert_hash_of(&self, user_id: &str, clear: &str) {
        let stored = self.stored(user_id).await;
        let Some(Value::String(stored)) = stored else {
            panic!("no password stored: {stored:?}");
        };
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        // Every clear text in these cases is at least 8 characters, which a random salt and
        // digest in base64 do not contain by chance.
        assert!(clear.len() >= 8 && !stored.contains(clear), "{stored}");
        let hasher = self.hasher.as_ref().expect("a hasher");
        assert_eq!(hasher.verify(clear, &stored).await, Ok(true), "{stored}");
    }

    async fn create(&self, user_name: &str, password: &str) -> String {
        let mut body = user(user_name);
        body["password"] = json!(password);
        let created = self
            .acme
            .post("/Users", body)
            .await
            .expect_status(201)
            .json();
        assert_no_password(&created);
        id(&created)
    }
}

#[track_caller]
fn assert_no_password(body: &Value) {
    let text = body.to_string();
    assert!(!text.to_lowercase().contains("password"), "{text}");
}

/// `changePassword.supported` says whether a hasher is configured.
pub async fn change_password_follows_the_hasher<H: Harness>() {
    for (site, supported) in [
        (Site::<H>::with_hasher(), true),
        (Site::without_hasher(), false),
    ] {
        let spc = site
            .acme
            .get("/ServiceProviderConfig")
            .await
            .expect_status(200)
            .json();
        assert_eq!(spc["changePassword"]["supported"], supported, "{spc}");
    }
}

/// `POST` stores a salted argon2id hash of the password, and no response carries it.
pub async fn create_stores_only_a_hash<H: Harness>() {
    let site = Site::<H>::with_hasher();
    let user_id = site.create("bjensen", "t1meMa$heen").await;
    site.assert_hash_of(&user_id, "t1meMa$heen").await;
    let fetched = site
        .acme
        .get(&format!("/Users/{user_id}?attributes=password,userName"))
        .await
        .expect_status(200)
        .json();
    assert_no_password(&fetched);
    assert_eq!(fetched["userName"], "bjensen");
    // The same password twice gives two hashes (a salt each).
    let other = site.create("other", "t1meMa$heen").await;
    assert_ne!(site.stored(&user_id).await, site.stored(&other).await);
}

/// `PUT` with a password stores its hash; `PUT` without one keeps the stored hash
/// (RFC 7644 §3.5.1: a client cannot send back what it cannot read).
pub async fn replace_keeps_or_rehashes<H: Harness>() {
    let site = Site::<H>::with_hasher();
    let user_id = site.create("bjensen", "first-password").await;
    let before = site.stored(&user_id).await;

    let mut without = user("bjensen");
    without["title"] = json!("CEO");
    let replaced = site
        .acme
        .put(&format!("/Users/{user_id}"), without)
        .await
        .expect_status(200)
        .json();
    assert_eq!(replaced["title"], "CEO");
    assert_eq!(site.stored(&user_id).await, before, "kept");

    let mut with = user("bjensen");
    with["password"] = json!("second-password");
    let replaced = site
        .acme
        .put(&format!("/Users/{user_id}"), with)
        .await
        .expect_status(200)
        .json();
    assert_no_password(&replaced);
    site.assert_hash_of(&user_id, "second-password").await;
}

/// Every shape of PATCH that sets a password stores its hash: a `password` path (in any
/// case, URN-qualified or not), a path-less value, and Entra ID's capitalised op.
pub async fn patch_hashes_every_shape<H: Harness>() {
    let site = Site::<H>::with_hasher();
    let user_id = site.create("bjensen", "initial").await;
    for (n, operation) in [
        json!({"op": "replace", "path": "password", "value": "patched-0"}),
        json!({"op": "add", "path": "PASSWORD", "value": "patched-1"}),
        json!({"op": "replace", "path": format!("{USER}:password"), "value": "patched-2"}),
        json!({"op": "replace", "value": {"password": "patched-3", "active": false}}),
        json!({"op": "Replace", "value": {"Password": "patched-4"}}),
    ]
    .into_iter()
    .enumerate()
    {
        let body = site
            .acme
            .patch(&format!("/Users/{user_id}"), patch_op(json!([operation])))
            .await
            .expect_status(200)
            .json();
        assert_no_password(&body);
        site.assert_hash_of(&user_id, &format!("patched-{n}")).await;
    }
    // And `remove` takes it away.
    site.acme
        .patch(
            &format!("/Users/{user_id}"),
            patch_op(json!([{"op": "remove", "path": "password"}])),
        )
        .await
        .expect_status(200);
    assert_eq!(site.stored(&user_id).await, None);
}

/// Bulk's `POST`, `PUT` and `PATCH` operations hash their passwords too.
pub async fn bulk_hashes_passwords<H: Harness>() {
    let site = Site::<H>::with_hasher();
    let replaced_id = site.create("replaced", "old").await;
    let patched_id = site.create("patched", "old").await;
    let mut created = user("created");
    created["password"] = json!("bulk-post");
    let mut replacement = user("replaced");
    replacement["password"] = json!("bulk-put");
    let body = site
        .acme
        .post(
            "/Bulk",
            json!({"schemas": [BULK_REQUEST], "Operations": [
                {"method": "POST", "path": "/Users", "bulkId": "c", "data": created},
                {"method": "PUT", "path": format!("/Users/{replaced_id}"), "data": replacement},
                {"method": "PATCH", "path": format!("/Users/{patched_id}"),
                 "data": patch_op(json!([{"op": "replace", "value": {"password": "bulk-patch"}}]))},
            ]}),
        )
        .await
        .expect_status(200)
        .json();
    assert_no_password(&body);
    let operations = body["Operations"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        operations
            .iter()
            .map(|o| o["status"].clone())
            .collect::<Vec<_>>(),
        [json!("201"), json!("200"), json!("200")],
        "{body}"
    );
    let created_id = operations[0]["location"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .unwrap_or_default()
        .to_owned();
    site.assert_hash_of(&created_id, "bulk-post").await;
    site.assert_hash_of(&replaced_id, "bulk-put").await;
    site.assert_hash_of(&patched_id, "bulk-patch").await;
}

/// Without a hasher no password is stored: `POST` and `PUT` drop it (Okta sends a
/// placeholder on every create), and a `PATCH` that sets one is `400 mutability`.
pub async fn without_a_hasher_no_password_is_stored<H: Harness>() {
    let site = Site::<H>::without_hasher();
    let user_id = site.create("okta-user", "1mz050nq").await;
    assert_eq!(site.stored(&user_id).await, None);
    let mut replacement = user("okta-user");
    replacement["password"] = json!("1mz050nq");
    site.acme
        .put(&format!("/Users/{user_id}"), replacement)
        .await
        .expect_status(200);
    assert_eq!(site.stored(&user_id).await, None);
    for operation in [
        json!({"op": "replace", "path": "password", "value": "x"}),
        json!({"op": "replace", "value": {"password": "x"}}),
    ] {
        let exchange = site
            .acme
            .patch(&format!("/Users/{user_id}"), patch_op(json!([operation])))
            .await
            .expect_error(400, Some("mutability"));
        assert!(exchange.detail().contains("changePassword"));
    }
    assert_eq!(site.stored(&user_id).await, None);
}

/// `password` is never returned, so it is never usable in `filter` (`400 invalidFilter`)
/// or `sortBy` (`400 invalidValue`): on `GET`, in `.search` bodies, at the root, lenient
/// or strict. Else its hash, or the clear text without a hasher, could be read out one
/// comparison at a time.
pub async fn never_filtered_or_sorted<H: Harness>() {
    for acme in [Client::<H>::fixture(), Client::<H>::strict_fixture()] {
        let mut body = user("bjensen");
        body["password"] = json!("t1meMa$heen");
        acme.post("/Users", body).await.expect_status(201);
        for expression in [
            "password pr",
            r#"password ge "m""#,
            r#"password sw "t1""#,
            r#"userName eq "bjensen" and password co "Ma""#,
        ] {
            for exchange in [
                acme.get(&format!("/Users{}", filter(expression))).await,
                acme.post("/Users/.search", json!({"filter": expression}))
                    .await,
                acme.post("/.search", json!({"filter": expression})).await,
            ] {
                let exchange = exchange.expect_error(400, Some("invalidFilter"));
                assert!(!String::from_utf8_lossy(&exchange.body).contains("t1meMa"));
            }
        }
        acme.get(&format!("/Users?sortBy={}", form("password")))
            .await
            .expect_error(400, Some("invalidValue"));
        acme.post(
            "/Users/.search",
            json!({"sortBy": "PASSWORD", "sortOrder": "descending"}),
        )
        .await
        .expect_error(400, Some("invalidValue"));
    }
}

/// A password of the wrong type is `400 invalidValue` whose detail does not echo it.
pub async fn errors_never_echo_a_password<H: Harness>() {
    let site = Site::<H>::with_hasher();
    let mut body = user("bjensen");
    body["password"] = json!(8675309);
    let exchange = site
        .acme
        .post("/Users", body)
        .await
        .expect_error(400, Some("invalidValue"));
    assert!(!String::from_utf8_lossy(&exchange.body).contains("8675309"));
    let user_id = site.create("bjensen", "fine").await;
    let exchange = site
        .acme
        .patch(
            &format!("/Users/{user_id}"),
            patch_op(json!([{"op": "replace", "path": "password", "value": {"v": "4815162342"}}])),
        )
        .await
        .expect_error(400, Some("invalidValue"));
    assert!(!String::from_utf8_lossy(&exchange.body).contains("4815162342"));
}
