//! [`InMemoryStore`]: an indexed, concurrent [`ResourceStore`] kept in process memory.
//!
//! Each tenant's data sits behind its own `RwLock`, in a map of tenants behind another.
//! The trait's methods are `async` only for the trait: the work is synchronous, done
//! under a lock taken and released without an `.await` in between, so readers never
//! block each other and a writer blocks only its own tenant.

mod index;
mod membership;
mod planner;
mod record;
mod tenant;

use std::sync::{Arc, PoisonError, RwLock};

use async_trait::async_trait;

use self::record::{Kind, Record};
use self::tenant::{TenantData, TypeData};
use crate::error::ScimError;
use crate::filter::AttrPath;
use crate::hash_map::HashMap;
use crate::patch::PatchRequest;
use crate::resource::Resource;
use crate::schema::definition::ResourceType;
use crate::store::{
    Query, QueryResult, RequestContext, ResourceStore, Retrieved, StoreError, excludes_whole,
};

/// A resource id, shared by the records, the indexes and the membership maps.
pub(crate) type Id = Arc<str>;

/// What [`InMemoryStore`] does with a group member whose `value` is not the id of a
/// User or Group of the tenant.
///
/// ```
/// use scim_core::store::UnknownMembers;
/// assert_eq!(UnknownMembers::default(), UnknownMembers::Reject);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UnknownMembers {
    /// Fail the write with [`StoreError::Invalid`] naming the id (the default).
    #[default]
    Reject,
    /// Drop the member silently and store the rest.
    Ignore,
}

/// The switches of an [`InMemoryStore`].
#[derive(Debug, Clone)]
pub(crate) struct StoreOptions {
    pub(crate) unique_group_display_name: bool,
    pub(crate) unknown_members: UnknownMembers,
}

/// Builds an [`InMemoryStore`] with non-default switches. Each switch away from the
/// default loosens a rule of the [`ResourceStore`] contract, for host apps whose
/// identity provider needs it.
///
/// ```
/// use scim_core::{InMemoryStore, RequestContext, Resource, ResourceStore, SchemaRegistry, store::UnknownMembers};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let store = InMemoryStore::builder()
///     .unique_group_display_name(false)
///     .unknown_members(UnknownMembers::Ignore)
///     .build();
/// let registry = SchemaRegistry::with_builtins();
/// let groups = registry.resource_type("Group").unwrap();
/// let group = || Resource::from_value_unchecked("Group", serde_json::json!(
///     {"displayName": "Admins", "members": [{"value": "no-such-user"}]})).unwrap();
/// let ctx = RequestContext::new("acme");
/// let first = store.create(&ctx, groups, group()).await.unwrap();
/// let second = store.create(&ctx, groups, group()).await.unwrap(); // same name: allowed
/// assert_ne!(first.id(), second.id());
/// assert!(first.get("members").is_none()); // the unknown member was dropped
/// # });
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct InMemoryStoreBuilder {
    options: StoreOptions,
}

impl InMemoryStoreBuilder {
    /// Whether a Group's `displayName` must be unique in its tenant (default `true`,
    /// compared case-insensitively): Entra ID matches groups by `displayName` and
    /// requires it, and so does the [`ResourceStore`] contract; turn it off only for an
    /// identity provider that pushes groups of the same name.
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, RequestContext, Resource, ResourceStore, SchemaRegistry, StoreError};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let registry = SchemaRegistry::with_builtins();
    /// let groups = registry.resource_type("Group").unwrap();
    /// let admins = || Resource::from_value_unchecked("Group", serde_json::json!({"displayName": "Admins"})).unwrap();
    /// let ctx = RequestContext::new("acme");
    ///
    /// let unique = InMemoryStore::new();
    /// unique.create(&ctx, groups, admins()).await.unwrap();
    /// assert!(matches!(unique.create(&ctx, groups, admins()).await, Err(StoreError::Conflict { .. })));
    ///
    /// let lax = InMemoryStore::builder().unique_group_display_name(false).build();
    /// lax.create(&ctx, groups, admins()).await.unwrap();
    /// assert!(lax.create(&ctx, groups, admins()).await.is_ok());
    /// # });
    /// ```
    pub fn unique_group_display_name(mut self, unique: bool) -> Self {
        self.options.unique_group_display_name = unique;
        self
    }

    /// What to do with group members that name no User or Group of the tenant (default
    /// [`UnknownMembers::Reject`], as the [`ResourceStore`] contract says).
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, RequestContext, Resource, ResourceStore, SchemaRegistry, StoreError, store::UnknownMembers};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let registry = SchemaRegistry::with_builtins();
    /// let groups = registry.resource_type("Group").unwrap();
    /// let group = || Resource::from_value_unchecked("Group", serde_json::json!(
    ///     {"displayName": "G", "members": [{"value": "no-such-user"}]})).unwrap();
    /// let ctx = RequestContext::new("acme");
    /// let strict = InMemoryStore::new();
    /// assert!(matches!(strict.create(&ctx, groups, group()).await, Err(StoreError::Invalid(_))));
    /// let lax = InMemoryStore::builder().unknown_members(UnknownMembers::Ignore).build();
    /// assert!(lax.create(&ctx, groups, group()).await.unwrap().get("members").is_none());
    /// # });
    /// ```
    pub fn unknown_members(mut self, policy: UnknownMembers) -> Self {
        self.options.unknown_members = policy;
        self
    }

    /// The store.
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, Query, RequestContext, ResourceStore, SchemaRegistry};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let store = InMemoryStore::builder().build();
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let page = store.query(&RequestContext::new("acme"), users, &Query::default()).await.unwrap();
    /// assert_eq!(page.total_results, 0);
    /// # });
    /// ```
    pub fn build(self) -> InMemoryStore {
        InMemoryStore {
            tenants: RwLock::default(),
            options: self.options,
        }
    }
}

impl Default for InMemoryStoreBuilder {
    fn default() -> Self {
        Self {
            options: StoreOptions {
                unique_group_display_name: true,
                unknown_members: UnknownMembers::Reject,
            },
        }
    }
}

/// A [`ResourceStore`] in process memory, indexed and safe to share between tasks.
///
/// - Ids are random UUIDs (v4); `meta.version` is a weak ETag (`W/"1"`, `W/"2"`, …)
///   that changes on every write, including membership changes that alter a User's
///   `groups` or a Group's `members`.
/// - `userName` and every attribute marked `uniqueness: server` are unique per tenant
///   (case-insensitively unless `caseExact`), as is a Group's `displayName` unless
///   switched off in the [builder](InMemoryStore::builder).
/// - `id`, `userName`, `externalId`, a Group's `displayName` and membership
///   (`members.value`, `groups.value`) are indexed: a filter that is, or ANDs with,
///   `eq` on one of them does not scan. Without `sortBy`, results come in creation
///   order, so `startIndex` paging is stable.
/// - A Group's members live in a membership index, not in its document: adding or
///   removing one costs the same whatever the group's size, and `User.groups` is
///   derived from it.
///
/// ```
/// use scim_core::{InMemoryStore, RequestContext, Resource, ResourceStore, SchemaRegistry};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let registry = SchemaRegistry::with_builtins();
/// let users = registry.resource_type("User").unwrap();
/// let store = InMemoryStore::new();
/// let ctx = RequestContext::new("acme");
/// let alice = Resource::from_value_unchecked("User", serde_json::json!({"userName": "alice"})).unwrap();
/// let created = store.create(&ctx, users, alice).await.unwrap();
/// let id = created.id().unwrap();
/// assert_eq!(store.get(&ctx, users, id).await.unwrap().version(), Some("W/\"1\""));
/// // Another tenant sees nothing.
/// assert!(store.get(&RequestContext::new("other"), users, id).await.is_err());
/// # });
/// ```
#[derive(Debug)]
pub struct InMemoryStore {
    tenants: RwLock<HashMap<String, Arc<RwLock<TenantData>>>>,
    options: StoreOptions,
}

impl Default for InMemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

/// The current time as RFC 3339 (`meta.lastModified`, RFC 7643 §3.1).
fn now() -> Result<String, StoreError> {
    super::timestamp_now()
}

impl InMemoryStore {
    /// An empty store with the default switches, which keep the [`ResourceStore`]
    /// contract.
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, RequestContext, Resource, ResourceStore, SchemaRegistry};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let store = InMemoryStore::new();
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let user = Resource::from_value_unchecked("User", serde_json::json!({"userName": "bjensen"})).unwrap();
    /// let created = store.create(&RequestContext::new("acme"), users, user).await.unwrap();
    /// assert_eq!(created.version(), Some("W/\"1\""));
    /// # });
    /// ```
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// A builder to change the default switches (see [`InMemoryStoreBuilder`]).
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, store::UnknownMembers};
    /// let store = InMemoryStore::builder().unknown_members(UnknownMembers::Ignore).build();
    /// # let _ = store;
    /// ```
    pub fn builder() -> InMemoryStoreBuilder {
        // `Default::default()` here is the same call (an equivalent mutant).
        InMemoryStoreBuilder::default()
    }

    /// The tenant's data, if it has any.
    ///
    /// A poisoned lock is taken over rather than reported: every write computes and
    /// checks its result before its first change, so a panic cannot leave a tenant
    /// half-written.
    fn tenant(&self, ctx: &RequestContext) -> Result<Option<Arc<RwLock<TenantData>>>, StoreError> {
        check_principal(ctx)?;
        let tenants = self.tenants.read().unwrap_or_else(PoisonError::into_inner);
        Ok(tenants.get(&ctx.tenant).cloned())
    }

    /// The tenant's data, created on its first write.
    fn tenant_for_write(
        &self,
        ctx: &RequestContext,
    ) -> Result<Arc<RwLock<TenantData>>, StoreError> {
        if let Some(tenant) = self.tenant(ctx)? {
            return Ok(tenant);
        }
        let mut tenants = self.tenants.write().unwrap_or_else(PoisonError::into_inner);
        Ok(Arc::clone(tenants.entry(ctx.tenant.clone()).or_default()))
    }

    /// Runs `f` under the tenant's read lock; `None` when the tenant has no data.
    fn read<T>(
        &self,
        ctx: &RequestContext,
        f: impl FnOnce(Option<&TenantData>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match self.tenant(ctx)? {
            Some(tenant) => f(Some(&tenant.read().unwrap_or_else(PoisonError::into_inner))),
            None => f(None),
        }
    }

    /// Runs a query under the tenant's read lock (an unknown tenant has no resources),
    /// each record of the page made into an `R` by `make`.
    fn run_query<R>(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        query: &Query,
        make: impl Fn(&TenantData, &TypeData, &Record, bool) -> R,
    ) -> Result<QueryResult<R>, StoreError> {
        self.read(ctx, |tenant| {
            let empty;
            let tenant = match tenant {
                Some(tenant) => tenant,
                None => {
                    empty = TenantData::default();
                    &empty
                }
            };
            planner::run(tenant, resource_type, query, |td, record, derived| {
                make(tenant, td, record, derived)
            })
        })
    }

    /// Creates a resource under a new id, made into an `R` by `out`.
    fn create_with<R>(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        resource: Resource,
        out: impl FnOnce(&TenantData, &TypeData, &Record) -> R,
    ) -> Result<R, StoreError> {
        let id = Id::from(uuid::Uuid::new_v4().to_string());
        let now = now()?;
        self.write(ctx, |t| {
            t.create(resource_type, resource, id, &now, &self.options, out)
        })
    }

    /// Applies a PATCH, the result made into an `R` by `out` (told whether the
    /// exclusion hint leaves the derived attribute to read).
    #[expect(
        clippy::too_many_arguments,
        reason = "the trait call's arguments plus what the result is made into"
    )]
    fn patch_with<R>(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        patch: &PatchRequest,
        expected_version: Option<&str>,
        excluded_attributes: &[AttrPath],
        out: impl FnOnce(&TenantData, &TypeData, &Record, bool) -> R,
    ) -> Result<R, StoreError> {
        let now = now()?;
        let derived = reads_derived(resource_type, excluded_attributes);
        self.write(ctx, |t| {
            t.patch(
                resource_type,
                id,
                patch,
                expected_version,
                derived,
                &now,
                &self.options,
                out,
            )
        })
    }

    /// Runs `f` under the tenant's write lock.
    fn write<T>(
        &self,
        ctx: &RequestContext,
        f: impl FnOnce(&mut TenantData) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let tenant = self.tenant_for_write(ctx)?;
        let mut data = tenant.write().unwrap_or_else(PoisonError::into_inner);
        f(&mut data)
    }
}

/// Whether a caller that will not read `excluded` attributes needs the derived one
/// (`members`, `groups`): unless it is excluded whole, as a core attribute.
fn reads_derived(rt: &ResourceType, excluded: &[AttrPath]) -> bool {
    Kind::of(rt)
        .derived_attribute()
        .is_none_or(|name| !excludes_whole(excluded, rt, name))
}

/// Defence in depth: the engine checks that the principal belongs to the tenant; the
/// store refuses to act if it somehow does not.
fn check_principal(ctx: &RequestContext) -> Result<(), StoreError> {
    match &ctx.principal {
        Some(p) if p.tenant != ctx.tenant => Err(StoreError::Rejected(ScimError::forbidden(
            "the principal does not belong to this tenant",
        ))),
        _ => Ok(()),
    }
}

#[async_trait]
impl ResourceStore for InMemoryStore {
    async fn create(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        resource: Resource,
    ) -> Result<Resource, StoreError> {
        self.create_with(ctx, resource_type, resource, |t, td, r| {
            t.materialize(td, r, true)
        })
    }

    async fn create_retrieved(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        resource: Resource,
    ) -> Result<Retrieved, StoreError> {
        self.create_with(ctx, resource_type, resource, |t, td, r| {
            t.retrieved(td, r, true)
        })
    }

    async fn get(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
    ) -> Result<Resource, StoreError> {
        self.read(ctx, |t| match t {
            Some(t) => t.get(resource_type, id),
            None => Err(StoreError::NotFound { id: id.to_owned() }),
        })
    }

    async fn retrieve(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        excluded_attributes: &[AttrPath],
    ) -> Result<Retrieved, StoreError> {
        let derived = reads_derived(resource_type, excluded_attributes);
        self.read(ctx, |t| match t {
            Some(t) => t.retrieve(resource_type, id, derived),
            None => Err(StoreError::NotFound { id: id.to_owned() }),
        })
    }

    async fn replace(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        resource: Resource,
        expected_version: Option<&str>,
    ) -> Result<Resource, StoreError> {
        let now = now()?;
        self.write(ctx, |t| {
            t.replace(
                resource_type,
                id,
                resource,
                expected_version,
                &now,
                &self.options,
            )
        })
    }

    async fn patch(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        patch: &PatchRequest,
        expected_version: Option<&str>,
    ) -> Result<Resource, StoreError> {
        self.patch_excluding(ctx, resource_type, id, patch, expected_version, &[])
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
        self.patch_with(
            ctx,
            resource_type,
            id,
            patch,
            expected_version,
            excluded_attributes,
            TenantData::materialize,
        )
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
        self.patch_with(
            ctx,
            resource_type,
            id,
            patch,
            expected_version,
            excluded_attributes,
            TenantData::retrieved,
        )
    }

    async fn delete(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        expected_version: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = now()?;
        self.write(ctx, |t| t.delete(resource_type, id, expected_version, &now))
    }

    async fn query(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        query: &Query,
    ) -> Result<QueryResult, StoreError> {
        self.run_query(ctx, resource_type, query, TenantData::materialize)
    }

    async fn query_retrieved(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        query: &Query,
    ) -> Result<QueryResult<Retrieved>, StoreError> {
        self.run_query(ctx, resource_type, query, TenantData::retrieved)
    }
}

#[cfg(test)]
mod sort_tests;
#[cfg(test)]
mod tests;
