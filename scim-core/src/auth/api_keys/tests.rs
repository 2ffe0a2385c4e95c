use super::*;

fn run<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn the_store_keeps_no_secret() {
    run(async {
        let store = ApiKeyStore::new();
        let key = store.create("t", ["SCIM2"], "l").await.unwrap();
        let dump = format!("{store:?} {key:?} {:?}", store.list("t").await.unwrap());
        assert!(!dump.contains(&key.secret));
        assert!(!dump.contains(&key.secret[9..]));
    });
}

#[test]
fn a_new_key_logs_which_key_it_is_with_its_secret_redacted() {
    run(async {
        let key = ApiKeyStore::new()
            .create("acme", ["SCIM2"], "Entra")
            .await
            .unwrap();
        let logged = format!("{key:?}");
        assert!(logged.contains("secret: \"<redacted>\""), "{logged}");
        assert!(
            logged.contains(&key.info.id),
            "the key's id is there: {logged}"
        );
        assert!(logged.contains("Entra"), "its label too: {logged}");
        assert!(!logged.contains(&key.secret));
    });
}

#[test]
fn lookup_finds_only_the_exact_secret_and_records_use() {
    run(async {
        let store = ApiKeyStore::new();
        store.insert("acme", "secret", ["SCIM2"]).await.unwrap();
        assert!(store.lookup("secreT").await.unwrap().is_none());
        assert!(store.lookup("secret ").await.unwrap().is_none());
        assert!(store.list("acme").await.unwrap()[0].last_used_at.is_none());
        let p = store.lookup("secret").await.unwrap().unwrap();
        assert_eq!(p.tenant, "acme");
        assert!(p.has_scope("SCIM2"));
        assert!(p.label.starts_with("key "), "{}", p.label);
        assert!(store.list("acme").await.unwrap()[0].last_used_at.is_some());
    });
}

#[test]
fn revoking_one_key_keeps_the_others() {
    run(async {
        let store = ApiKeyStore::new();
        let a = store.create("acme", ["SCIM2"], "a").await.unwrap();
        let b = store.create("acme", ["SCIM2"], "b").await.unwrap();
        assert!(store.revoke("acme", &a.info.id).await.unwrap());
        assert!(store.lookup(&a.secret).await.unwrap().is_none());
        assert_eq!(store.lookup(&b.secret).await.unwrap().unwrap().label, "b");
        assert_eq!(store.list("acme").await.unwrap().len(), 1);
        assert_eq!(store.tenants().await.unwrap(), ["acme"]);
        assert!(store.revoke("acme", &b.info.id).await.unwrap());
        assert!(store.tenants().await.unwrap().is_empty());
    });
}

#[test]
fn a_key_of_another_tenant_is_not_revoked() {
    run(async {
        let store = ApiKeyStore::new();
        let key = store.create("acme", ["SCIM2"], "a").await.unwrap();
        assert!(!store.revoke("globex", &key.info.id).await.unwrap());
        assert!(store.lookup(&key.secret).await.unwrap().is_some());
    });
}

#[test]
fn inputs_are_validated_before_storage() {
    run(async {
        let store = ApiKeyStore::new();
        let long = "x".repeat(MAX_LABEL_CHARS + 1);
        let exact = "é".repeat(MAX_LABEL_CHARS);
        assert!(store.create("acme", ["SCIM2"], exact).await.is_ok());
        for (tenant, scopes, label) in [
            ("acme", vec!["SCIM2"], ""),
            ("acme", vec!["SCIM2"], "   "),
            ("acme", vec!["SCIM2"], long.as_str()),
            ("acme", vec!["SCIM2"], "a\nb"),
            ("acme", vec![], "x"),
            ("acme", vec![""], "x"),
            ("acme", vec!["SCIM 2"], "x"),
            ("acme", vec!["SCIM2"; MAX_SCOPES + 1], "x"),
            ("../x", vec!["SCIM2"], "x"),
            ("", vec!["SCIM2"], "x"),
        ] {
            let refused = store.create(tenant, scopes.clone(), label).await;
            assert!(refused.is_err(), "{tenant:?} {scopes:?} {label:?}");
        }
        assert_eq!(store.tenants().await.unwrap(), ["acme"]);
        assert_eq!(store.list("acme").await.unwrap().len(), 1);
        let sixteen = vec!["s:a.b_c-1"; MAX_SCOPES];
        assert!(store.insert("acme", "k", sixteen).await.is_ok());
    });
}

#[test]
fn a_use_is_recorded_at_most_once_a_minute_per_key() {
    let store = ApiKeyStore::new();
    assert!(store.due_for_recording("a", 1_000));
    assert!(!store.due_for_recording("a", 1_000 + RECORD_USE_EVERY_SECONDS - 1));
    assert!(store.due_for_recording("b", 1_001));
    // Other keys' uses do not make `a`'s be written again within its minute.
    assert!(store.due_for_recording("c", 1_002));
    assert!(!store.due_for_recording("a", 1_000 + RECORD_USE_EVERY_SECONDS - 1));
    assert!(!store.due_for_recording("b", 1_002));
    assert!(store.due_for_recording("a", 1_000 + RECORD_USE_EVERY_SECONDS));
    for i in 0..RECORDED_USES_CAP + 1 {
        store.due_for_recording(&i.to_string(), 5_000);
    }
    assert!(store.uses().len() <= RECORDED_USES_CAP);
}

/// A storage that always fails: authentication answers 503, and no key leaks into the
/// error.
#[derive(Debug)]
struct Down;

#[async_trait::async_trait]
impl ApiKeyStorage for Down {
    async fn put(&self, _: StoredApiKey) -> Result<ApiKeyInfo, ApiKeyError> {
        Err(ApiKeyError::Storage("down".into()))
    }
    async fn find(&self, _: &[u8; 32]) -> Result<Option<ApiKeyInfo>, ApiKeyError> {
        Err(ApiKeyError::Storage("down".into()))
    }
    async fn list(&self, _: &str) -> Result<Vec<ApiKeyInfo>, ApiKeyError> {
        Err(ApiKeyError::Storage("down".into()))
    }
    async fn revoke(&self, _: &str, _: &str) -> Result<bool, ApiKeyError> {
        Err(ApiKeyError::Storage("down".into()))
    }
    async fn record_use(&self, _: &str, _: OffsetDateTime) -> Result<(), ApiKeyError> {
        Err(ApiKeyError::Storage("down".into()))
    }
    async fn tenants(&self) -> Result<Vec<String>, ApiKeyError> {
        Err(ApiKeyError::Storage("down".into()))
    }
}

#[test]
fn a_failing_storage_is_a_503_not_an_unknown_key() {
    run(async {
        let store = ApiKeyStore::with_storage(Down);
        let error = store.authenticate("scim_secret").await.unwrap_err();
        assert_eq!(error.status(), http::StatusCode::SERVICE_UNAVAILABLE);
        assert!(!error.detail().contains("scim_secret"));
        assert!(store.create("acme", ["SCIM2"], "x").await.is_err());
    });
}
