//! The [`ResourceStore`] trait: where a host app plugs in its database.

use std::sync::Arc;

use async_trait::async_trait;

use crate::auth::Principal;
use crate::error::ScimError;
use crate::filter::{AttrPath, Filter, Sort};
use crate::patch::PatchRequest;
use crate::resource::Resource;
use crate::schema::definition::ResourceType;

mod cursor;
mod member_ref;
mod memory;
pub(crate) mod retrieved;
mod stamp;
mod version;

pub use cursor::{decode_cursor, encode_cursor};
pub use member_ref::MemberRef;
pub use memory::{InMemoryStore, InMemoryStoreBuilder, UnknownMembers};
pub use retrieved::{MemberRow, MemberRows, Retrieved, excludes_whole};
pub(crate) use stamp::Stamp;
pub use version::{Version, meta, timestamp_now};

/// The tenant (and principal) a store call acts for. Every store call carries one;
/// a store never reads or writes outside `tenant`.
///
/// ```
/// use scim_core::RequestContext;
/// let ctx = RequestContext::new("acme");
/// assert_eq!(ctx.tenant, "acme");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestContext {
    /// The tenant id from the URL.
    pub tenant: String,
    /// The authenticated principal, when the call comes from a request.
    pub principal: Option<Principal>,
}

impl RequestContext {
    /// A context for `tenant` without a principal (for host-app code and tests).
    ///
    /// ```
    /// # use scim_core::RequestContext;
    /// assert!(RequestContext::new("t").principal.is_none());
    /// ```
    pub fn new(tenant: impl Into<String>) -> Self {
        Self {
            tenant: tenant.into(),
            principal: None,
        }
    }

    /// The same context with a principal.
    ///
    /// ```
    /// # use scim_core::{Principal, RequestContext};
    /// let ctx = RequestContext::new("t").with_principal(Principal::new("t", ["SCIM2"]));
    /// assert!(ctx.principal.is_some());
    /// ```
    #[must_use]
    pub fn with_principal(mut self, principal: Principal) -> Self {
        self.principal = Some(principal);
        self
    }
}

/// A list query pushed down to the store: the parsed filter, sort and page.
///
/// ```
/// use scim_core::Query;
/// let q = Query::default();
/// assert_eq!(q.start_index, 1);
/// assert!(q.filter.is_none() && q.count.is_none());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Query {
    /// The filter; `None` matches every resource of the type.
    pub filter: Option<Filter>,
    /// The sort; without one the order is still stable (by creation, then id).
    pub sort: Option<Sort>,
    /// 1-based index of the first result (RFC 7644 §3.4.2.4).
    pub start_index: usize,
    /// Maximum number of resources to return; `Some(0)` asks only for the total.
    pub count: Option<usize>,
    /// RFC 9865 cursor, for stores that support cursor paging.
    pub cursor: Option<String>,
    /// The attributes the response will carry, as a hint: a store may skip loading
    /// the others (e.g. `members` of large groups). Empty means "all by default".
    pub attributes: Vec<AttrPath>,
    /// The attributes the response will not carry, as a hint.
    pub excluded_attributes: Vec<AttrPath>,
}

impl Default for Query {
    fn default() -> Self {
        Self {
            filter: None,
            sort: None,
            start_index: 1,
            count: None,
            cursor: None,
            attributes: Vec::new(),
            excluded_attributes: Vec::new(),
        }
    }
}

/// One page of query results with the exact total: whole [`Resource`]s from
/// [`ResourceStore::query`], or each in the form a response is written from
/// ([`Retrieved`]) from [`ResourceStore::query_retrieved`].
///
/// ```
/// use scim_core::QueryResult;
/// let r: QueryResult = QueryResult::new(vec![], 0);
/// assert_eq!(r.total_results, 0);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QueryResult<R = Resource> {
    /// The resources of the page, in order.
    pub resources: Vec<R>,
    /// How many resources match the filter in all.
    pub total_results: usize,
    /// RFC 9865: the cursor of the next page, if any.
    pub next_cursor: Option<String>,
}

impl<R> QueryResult<R> {
    /// A page and the total number of matches, without a cursor (the struct is
    /// `#[non_exhaustive]`, so a host app's store builds it here).
    ///
    /// ```
    /// # use scim_core::QueryResult;
    /// let r: QueryResult = QueryResult::new(vec![], 42);
    /// assert!(r.resources.is_empty() && r.next_cursor.is_none());
    /// ```
    pub fn new(resources: Vec<R>, total_results: usize) -> Self {
        Self {
            resources,
            total_results,
            next_cursor: None,
        }
    }

    /// The same page with each resource turned into another form; the total and the
    /// cursor stay.
    ///
    /// ```
    /// use scim_core::{QueryResult, Resource, store::Retrieved};
    /// let user = Resource::from_value_unchecked("User", serde_json::json!({"id": "1"})).unwrap();
    /// let page = QueryResult::new(vec![user], 7).with_next_cursor("c").map(Retrieved::from);
    /// assert_eq!(page.resources[0].id(), Some("1"));
    /// assert_eq!((page.total_results, page.next_cursor.as_deref()), (7, Some("c")));
    /// ```
    pub fn map<S>(self, f: impl FnMut(R) -> S) -> QueryResult<S> {
        QueryResult {
            resources: self.resources.into_iter().map(f).collect(),
            total_results: self.total_results,
            next_cursor: self.next_cursor,
        }
    }

    /// The same page with the RFC 9865 cursor of the next page.
    ///
    /// ```
    /// # use scim_core::QueryResult;
    /// let r: QueryResult = QueryResult::new(vec![], 42).with_next_cursor("abc");
    /// assert_eq!(r.next_cursor.as_deref(), Some("abc"));
    /// ```
    #[must_use]
    pub fn with_next_cursor(mut self, cursor: impl Into<String>) -> Self {
        self.next_cursor = Some(cursor.into());
        self
    }
}

impl QueryResult {
    /// The page `query` asks for out of every match, sorted and paged in memory: by
    /// `query.sort` (ties, and no sort, by `id`), from `startIndex`, at most `count`
    /// resources, with the total of `matches`. For a store whose database narrows the
    /// rows (or cannot sort by an attribute) and leaves the rest to the process; it
    /// gives no cursor, so such a store serves with `ServerConfig::cursor_paging(false)`.
    ///
    /// ```
    /// use scim_core::{Query, QueryResult, Resource, SchemaRegistry};
    /// use scim_core::filter::{AttrPath, Sort, SortOrder};
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let user = |id: &str, name: &str| {
    ///     Resource::from_value_unchecked("User", serde_json::json!({"id": id, "userName": name})).unwrap()
    /// };
    /// let matches = vec![user("1", "carol"), user("2", "alice"), user("3", "bob")];
    /// let mut query = Query::default();
    /// query.sort = Some(Sort { by: AttrPath::new("userName"), order: SortOrder::Ascending });
    /// query.start_index = 2;
    /// query.count = Some(1);
    /// let page = QueryResult::from_matches(matches, &query, users);
    /// assert_eq!(page.total_results, 3);
    /// assert_eq!(page.resources[0].id(), Some("3"));
    /// ```
    pub fn from_matches(
        mut matches: Vec<Resource>,
        query: &Query,
        resource_type: &crate::ResourceType,
    ) -> Self {
        match &query.sort {
            Some(sort) => {
                let compare = sort.comparator(resource_type);
                matches.sort_by(|a, b| compare(a, b).then_with(|| a.id().cmp(&b.id())));
            }
            None => matches.sort_by(|a, b| a.id().cmp(&b.id())),
        }
        let total_results = matches.len();
        let page = matches
            .into_iter()
            .skip(query.start_index.saturating_sub(1))
            .take(query.count.unwrap_or(usize::MAX))
            .collect();
        Self::new(page, total_results)
    }
}

/// Why a store call failed.
///
/// ```
/// use scim_core::{ScimError, StoreError};
/// let err: ScimError = StoreError::NotFound { id: "42".into() }.into();
/// assert_eq!(err.status().as_u16(), 404);
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No resource of that type and id in this tenant.
    #[error("resource {id} not found")]
    NotFound {
        /// The id asked for.
        id: String,
    },
    /// A uniqueness constraint would be broken.
    #[error("{attribute} {value:?} is already in use")]
    Conflict {
        /// The attribute whose value is taken (`userName`, `displayName`, …).
        attribute: String,
        /// The value in conflict.
        value: String,
    },
    /// The expected version (`If-Match`) is not the current one.
    #[error("version mismatch: the resource is at version {current}")]
    PreconditionFailed {
        /// The current version.
        current: String,
    },
    /// The request refers to something invalid (e.g. an unknown group member).
    #[error("{0}")]
    Invalid(String),
    /// The request was rejected with a specific SCIM error (e.g. a PATCH that cannot apply).
    #[error(transparent)]
    Rejected(#[from] ScimError),
    /// The backing storage failed.
    #[error("storage backend failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<StoreError> for ScimError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound { id } => ScimError::not_found(format!("resource {id} not found")),
            StoreError::Conflict { attribute, value } => {
                ScimError::uniqueness(format!("{attribute} {value:?} is already in use"))
            }
            StoreError::PreconditionFailed { current } => ScimError::precondition_failed(format!(
                "resource has changed; its current version is {current}"
            )),
            StoreError::Invalid(detail) => ScimError::invalid_value(detail),
            StoreError::Rejected(e) => e,
            StoreError::Backend(e) => {
                tracing::error!(error = %e, "resource store backend failed");
                ScimError::internal("the resource store failed")
            }
        }
    }
}

/// Where resources live. One implementation serves every resource type and tenant.
///
/// What every implementation owes the engine. The [`scim-store-contract`] crate checks
/// each point as a test suite; run it against your store:
///
/// - **Tenants are walls.** Every call carries `ctx.tenant`; nothing of another tenant
///   is read, written, counted or used to decide uniqueness or membership.
/// - **Identity and time.** `create` assigns `id` (stable, case-sensitive, never a
///   client's `bulkId`), `meta.created`, `meta.lastModified`, `meta.resourceType` and
///   `meta.version`, an ETag (weak form `W/"…"` is fine) that changes on every write.
///   `replace`, `patch` and `delete` take the `If-Match` value as `expected_version`
///   and fail with [`StoreError::PreconditionFailed`] naming the current version when
///   it is not current (`*` matches any version). The client's `id`, `meta` and
///   `User.groups` are never stored. The engine renders `meta.location` and `$ref`s.
/// - **Uniqueness, atomically.** `userName` is unique per tenant case-insensitively
///   (`caseExact: false`), as is a Group's `displayName` (Entra ID matches groups by it
///   and requires it unique) and every attribute whose schema says `uniqueness: server`,
///   in extensions and in the host app's own resource types too, comparing as its
///   `caseExact` says. A violation on create, replace or patch is
///   [`StoreError::Conflict`] naming the attribute and the value, and 50 concurrent
///   creates of one `userName` give exactly one success.
/// - **Membership.** A Group's `members` reference Users or Groups of the same tenant
///   ([`StoreError::Invalid`] otherwise); the store fills each member's `type` and
///   `display`; a member listed twice is a member once. `User.groups` is read-only and
///   derived from membership (`value`, `display`, `type: "direct"`); deleting a User
///   removes it from every group, deleting a Group removes it from its members'
///   `groups`; a PATCH that does not touch `members` keeps them.
/// - **PATCH is atomic.** `patch` receives the parsed [`PatchRequest`]. A store that
///   simply loads and saves JSON documents calls
///   [`PatchRequest::apply`] on the loaded resource (it changes nothing on error),
///   re-checks uniqueness and saves, all under one lock or transaction. A store with a
///   membership table may instead ask [`PatchRequest::member_delta`] for the member
///   changes and apply them row by row.
/// - **Write-only values are kept.** `replace` keeps the stored value of every
///   `writeOnly` attribute the replacement does not carry (RFC 7644 §3.5.1: a client
///   cannot send back what it can never read), so a `PUT` without `password` keeps the
///   password. A document store calls [`Resource::keep_write_only_from`]; a SQL store
///   leaves the column alone. Passwords arrive already hashed by the engine's
///   [`PasswordHasher`](crate::PasswordHasher): a store keeps what it is given and
///   never needs the clear text.
/// - **Queries are exact.** `query` gets the filter AST, sort, page and the requested
///   attributes (a hint: e.g. skip `members` when excluded). Its results are exactly
///   the resources the filter matches (also on `id`, case-exact, and on `meta`),
///   ordered by the sort (ties by ascending `id`) or in a stable order without one,
///   with the exact total; `count: Some(0)` asks only for the total.
///
/// [`scim-store-contract`]: https://docs.rs/scim-store-contract
///
/// Implementations are used as `Arc<dyn ResourceStore>`:
///
/// ```
/// use std::sync::Arc;
/// use scim_core::{InMemoryStore, Query, RequestContext, ResourceStore, SchemaRegistry};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let store: Arc<dyn ResourceStore> = Arc::new(InMemoryStore::new());
/// let registry = SchemaRegistry::with_builtins();
/// let users = registry.resource_type("User").unwrap();
/// let page = store.query(&RequestContext::new("acme"), users, &Query::default()).await.unwrap();
/// assert_eq!(page.total_results, 0);
/// # });
/// ```
#[async_trait]
pub trait ResourceStore: Send + Sync + 'static {
    /// Stores a new, validated resource and returns it with `id` and `meta` set.
    async fn create(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        resource: Resource,
    ) -> Result<Resource, StoreError>;

    /// Fetches one resource.
    async fn get(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
    ) -> Result<Resource, StoreError>;

    /// Fetches one resource for a response (RFC 7644 §3.4.1), told which attributes the
    /// response will not carry (its `excludedAttributes`, and `members` when the
    /// projection leaves them out). A store may skip loading those, and may return a
    /// Group's members as [`MemberRows`] beside a document without `members`, which the
    /// engine serializes without building a JSON object per member. The default calls
    /// [`get`](Self::get) and keeps the members in the document.
    ///
    /// ```
    /// use scim_core::{InMemoryStore, RequestContext, Resource, ResourceStore, SchemaRegistry, filter::AttrPath};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let registry = SchemaRegistry::with_builtins();
    /// let (users, groups) = (registry.resource_type("User").unwrap(), registry.resource_type("Group").unwrap());
    /// let (store, ctx) = (InMemoryStore::new(), RequestContext::new("acme"));
    /// let user = Resource::from_value_unchecked("User", serde_json::json!({"userName": "bjensen"})).unwrap();
    /// let uid = store.create(&ctx, users, user).await.unwrap().id().unwrap().to_owned();
    /// let group = Resource::from_value_unchecked("Group",
    ///     serde_json::json!({"displayName": "Admins", "members": [{"value": uid}]})).unwrap();
    /// let gid = store.create(&ctx, groups, group).await.unwrap().id().unwrap().to_owned();
    ///
    /// let whole = store.retrieve(&ctx, groups, &gid, &[]).await.unwrap();
    /// assert_eq!(whole.members().len(), 1);
    /// assert_eq!(whole.into_resource(), store.get(&ctx, groups, &gid).await.unwrap());
    /// // Entra ID: GET /Groups/{id}?excludedAttributes=members
    /// let bare = store.retrieve(&ctx, groups, &gid, &[AttrPath::new("members")]).await.unwrap();
    /// assert!(bare.members().is_empty() && bare.into_resource().get("members").is_none());
    /// # });
    /// ```
    async fn retrieve(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        excluded_attributes: &[AttrPath],
    ) -> Result<Retrieved, StoreError> {
        let _ = excluded_attributes;
        self.get(ctx, resource_type, id).await.map(Retrieved::from)
    }

    /// Creates a resource like [`create`](Self::create), returned in the form the engine
    /// writes a response from, as [`retrieve`](Self::retrieve) gives one with nothing
    /// excluded. The engine creates through this method, so that a store which keeps a
    /// document apart from its `id`, `meta` or a Group's member rows need not copy the
    /// new resource whole for the `201` response; the default wraps what
    /// [`create`](Self::create) returns, which is right for any store.
    ///
    /// ```
    /// use scim_core::{InMemoryStore, RequestContext, Resource, ResourceStore, SchemaRegistry};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let store = InMemoryStore::new();
    /// let ctx = RequestContext::new("acme");
    /// let user = Resource::from_value_unchecked("User", serde_json::json!({"userName": "bjensen"})).unwrap();
    /// let created = store.create_retrieved(&ctx, users, user).await.unwrap();
    /// let id = created.id().unwrap().to_owned();
    /// assert_eq!(created.version().as_deref(), Some("W/\"1\""));
    /// assert_eq!(created.into_resource(), store.get(&ctx, users, &id).await.unwrap());
    /// # });
    /// ```
    async fn create_retrieved(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        resource: Resource,
    ) -> Result<Retrieved, StoreError> {
        self.create(ctx, resource_type, resource)
            .await
            .map(Retrieved::from)
    }

    /// Replaces a resource wholesale (RFC 7644 §3.5.1), if its version is `expected_version`
    /// (when given), keeping the stored `writeOnly` values the replacement omits (see
    /// [`Resource::keep_write_only_from`]).
    async fn replace(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        resource: Resource,
        expected_version: Option<&str>,
    ) -> Result<Resource, StoreError>;

    /// Applies a PATCH atomically (RFC 7644 §3.5.2).
    async fn patch(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        patch: &PatchRequest,
        expected_version: Option<&str>,
    ) -> Result<Resource, StoreError>;

    /// Applies a PATCH like [`patch`](Self::patch), told which attributes the caller
    /// will not read from the result (the request's `excludedAttributes`, or `members`
    /// when the engine answers `204 No Content`, as Entra ID prefers for groups). A store
    /// may then skip loading them, so that adding one member to a group of 100 000 does
    /// not copy the member list; the default ignores the hint.
    ///
    /// ```
    /// use scim_core::{InMemoryStore, PatchRequest, RequestContext, Resource, ResourceStore, SchemaRegistry, filter::AttrPath};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let registry = SchemaRegistry::with_builtins();
    /// let groups = registry.resource_type("Group").unwrap();
    /// let store = InMemoryStore::new();
    /// let ctx = RequestContext::new("acme");
    /// let g = Resource::from_value_unchecked("Group", serde_json::json!({"displayName": "G"})).unwrap();
    /// let id = store.create(&ctx, groups, g).await.unwrap().id().unwrap().to_owned();
    /// let rename = PatchRequest::parse(br#"{"Operations":[{"op":"replace","path":"displayName","value":"H"}]}"#,
    ///     groups, &Default::default()).unwrap();
    /// let out = store.patch_excluding(&ctx, groups, &id, &rename, None, &[AttrPath::new("members")]).await.unwrap();
    /// assert_eq!(out.get("displayName"), Some(&serde_json::json!("H")));
    /// # });
    /// ```
    async fn patch_excluding(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        patch: &PatchRequest,
        expected_version: Option<&str>,
        excluded_attributes: &[AttrPath],
    ) -> Result<Resource, StoreError> {
        let _ = excluded_attributes;
        self.patch(ctx, resource_type, id, patch, expected_version)
            .await
    }

    /// Applies a PATCH like [`patch_excluding`](Self::patch_excluding), the result in
    /// the form the engine writes a response from, as [`retrieve`](Self::retrieve)
    /// gives one with the same hint. The engine patches through this method, so that a
    /// store which keeps a document apart from its `id`, `meta` or a Group's member rows
    /// need not copy the patched resource whole for the response; the default wraps what
    /// [`patch_excluding`](Self::patch_excluding) returns, which is right for any store.
    ///
    /// ```
    /// use scim_core::{InMemoryStore, PatchRequest, RequestContext, Resource, ResourceStore, SchemaRegistry};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let store = InMemoryStore::new();
    /// let ctx = RequestContext::new("acme");
    /// let u = Resource::from_value_unchecked("User", serde_json::json!({"userName": "bjensen"})).unwrap();
    /// let id = store.create(&ctx, users, u).await.unwrap().id().unwrap().to_owned();
    /// let title = PatchRequest::parse(br#"{"Operations":[{"op":"add","path":"title","value":"Boss"}]}"#,
    ///     users, &Default::default()).unwrap();
    /// let patched = store.patch_retrieved(&ctx, users, &id, &title, None, &[]).await.unwrap();
    /// assert_eq!(patched.version().as_deref(), Some("W/\"2\""));
    /// assert_eq!(patched.into_resource(), store.get(&ctx, users, &id).await.unwrap());
    /// # });
    /// ```
    async fn patch_retrieved(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        patch: &PatchRequest,
        expected_version: Option<&str>,
        excluded_attributes: &[AttrPath],
    ) -> Result<Retrieved, StoreError> {
        self.patch_excluding(
            ctx,
            resource_type,
            id,
            patch,
            expected_version,
            excluded_attributes,
        )
        .await
        .map(Retrieved::from)
    }

    /// Deletes a resource.
    async fn delete(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        expected_version: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Lists resources matching a query, with the exact total.
    async fn query(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        query: &Query,
    ) -> Result<QueryResult, StoreError>;

    /// Lists like [`query`](Self::query), each resource in the form the engine writes a
    /// response from, as [`retrieve`](Self::retrieve) gives one: a store that keeps a
    /// document apart from its `id`, `meta` or a Group's member rows hands those out
    /// as they are, and the list response is written from them without a whole copy of
    /// each resource. The engine lists through this method; the default wraps
    /// [`query`](Self::query)'s resources, which is right for any store.
    ///
    /// ```
    /// use scim_core::{InMemoryStore, Query, RequestContext, Resource, ResourceStore, SchemaRegistry};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let store = InMemoryStore::new();
    /// let ctx = RequestContext::new("acme");
    /// let user = Resource::from_value_unchecked("User", serde_json::json!({"userName": "bjensen"})).unwrap();
    /// let id = store.create(&ctx, users, user).await.unwrap().id().unwrap().to_owned();
    ///
    /// let page = store.query_retrieved(&ctx, users, &Query::default()).await.unwrap();
    /// assert_eq!(page.total_results, 1);
    /// let whole = store.query(&ctx, users, &Query::default()).await.unwrap();
    /// assert_eq!(page.resources[0].id(), Some(id.as_str()));
    /// assert_eq!(page.resources[0].clone().into_resource(), whole.resources[0]);
    /// # });
    /// ```
    async fn query_retrieved(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        query: &Query,
    ) -> Result<QueryResult<Retrieved>, StoreError> {
        Ok(self
            .query(ctx, resource_type, query)
            .await?
            .map(Retrieved::from))
    }
}

#[async_trait]
impl<T: ResourceStore + ?Sized> ResourceStore for Arc<T> {
    async fn create(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        resource: Resource,
    ) -> Result<Resource, StoreError> {
        (**self).create(ctx, resource_type, resource).await
    }
    async fn get(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
    ) -> Result<Resource, StoreError> {
        (**self).get(ctx, resource_type, id).await
    }
    async fn create_retrieved(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        resource: Resource,
    ) -> Result<Retrieved, StoreError> {
        (**self)
            .create_retrieved(ctx, resource_type, resource)
            .await
    }
    async fn retrieve(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        excluded_attributes: &[AttrPath],
    ) -> Result<Retrieved, StoreError> {
        (**self)
            .retrieve(ctx, resource_type, id, excluded_attributes)
            .await
    }
    async fn replace(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        resource: Resource,
        expected_version: Option<&str>,
    ) -> Result<Resource, StoreError> {
        (**self)
            .replace(ctx, resource_type, id, resource, expected_version)
            .await
    }
    async fn patch(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        patch: &PatchRequest,
        expected_version: Option<&str>,
    ) -> Result<Resource, StoreError> {
        (**self)
            .patch(ctx, resource_type, id, patch, expected_version)
            .await
    }
    async fn patch_excluding(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        patch: &PatchRequest,
        expected_version: Option<&str>,
        excluded_attributes: &[AttrPath],
    ) -> Result<Resource, StoreError> {
        (**self)
            .patch_excluding(
                ctx,
                resource_type,
                id,
                patch,
                expected_version,
                excluded_attributes,
            )
            .await
    }
    async fn patch_retrieved(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        patch: &PatchRequest,
        expected_version: Option<&str>,
        excluded_attributes: &[AttrPath],
    ) -> Result<Retrieved, StoreError> {
        (**self)
            .patch_retrieved(
                ctx,
                resource_type,
                id,
                patch,
                expected_version,
                excluded_attributes,
            )
            .await
    }
    async fn delete(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        expected_version: Option<&str>,
    ) -> Result<(), StoreError> {
        (**self)
            .delete(ctx, resource_type, id, expected_version)
            .await
    }
    async fn query(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        query: &Query,
    ) -> Result<QueryResult, StoreError> {
        (**self).query(ctx, resource_type, query).await
    }
    async fn query_retrieved(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        query: &Query,
    ) -> Result<QueryResult<Retrieved>, StoreError> {
        (**self).query_retrieved(ctx, resource_type, query).await
    }
}
