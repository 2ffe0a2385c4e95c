#![doc = include_str!("../README.md")]

mod capabilities;
pub mod cases;
pub mod fixtures;
pub mod key_storage;

pub use capabilities::Capabilities;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use scim_core::{RequestContext, ResourceStore};

pub use key_storage::{KEY_CASES, KeyStorage};

/// The store every case runs against: shared between tasks by the concurrency cases.
pub type Store = Arc<dyn ResourceStore>;

/// The tenants one case may use: three tenant ids of its own, unique in this process and
/// across runs, so that cases can share one database and run in parallel and again.
///
/// ```
/// use scim_store_contract::Tenants;
/// let (one, two) = (Tenants::unique(), Tenants::unique());
/// assert_ne!(one.a().tenant, two.a().tenant);
/// assert_ne!(one.a().tenant, one.b().tenant);
/// ```
#[derive(Debug, Clone)]
pub struct Tenants {
    prefix: String,
}

impl Tenants {
    /// Tenant ids no other case uses: a per-process random part and a counter.
    ///
    /// ```
    /// # use scim_store_contract::Tenants;
    /// assert!(Tenants::unique().a().tenant.starts_with("contract-"));
    /// ```
    pub fn unique() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let run = std::process::id();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        Self {
            prefix: format!("contract-{run:x}{nanos:x}-{n}"),
        }
    }

    /// The tenant most cases work in.
    ///
    /// ```
    /// # use scim_store_contract::Tenants;
    /// assert!(Tenants::unique().a().tenant.ends_with("-a"));
    /// ```
    pub fn a(&self) -> RequestContext {
        RequestContext::new(format!("{}-a", self.prefix))
    }

    /// A second tenant, for isolation cases.
    ///
    /// ```
    /// # use scim_store_contract::Tenants;
    /// assert!(Tenants::unique().b().tenant.ends_with("-b"));
    /// ```
    pub fn b(&self) -> RequestContext {
        RequestContext::new(format!("{}-b", self.prefix))
    }

    /// A third tenant, which no case writes to.
    ///
    /// ```
    /// # use scim_store_contract::Tenants;
    /// assert!(Tenants::unique().c().tenant.ends_with("-c"));
    /// ```
    pub fn c(&self) -> RequestContext {
        RequestContext::new(format!("{}-c", self.prefix))
    }
}

/// Runs a case on a fresh multi-threaded runtime (so that the concurrency cases really
/// run in parallel), for test crates that do not depend on tokio themselves.
///
/// ```
/// scim_store_contract::run(async { assert_eq!(1 + 1, 2) });
/// ```
///
/// # Panics
///
/// When the runtime cannot be built, or when the case panics (a broken contract).
#[expect(
    clippy::expect_used,
    reason = "a test helper: failing loudly is its job"
)]
pub fn run(case: impl Future<Output = ()>) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("a tokio runtime for the store contract")
        .block_on(case);
}

/// Every case, in the order [`store_contract_tests!`] runs them.
///
/// ```
/// assert!(scim_store_contract::CASES.contains(&"concurrent_member_adds"));
/// ```
pub const CASES: &[&str] = store_contract_tests!(@names);

/// Generates one `#[test]` per contract case. `$factory` is an expression of a future
/// that gives a fresh store ([`Store`]): it is awaited once per case, on the case's own
/// runtime, so it may connect to a database and run migrations. An optional second
/// argument declares the store's [`Capabilities`] (all of them without it): a case a
/// missing capability covers is skipped with a printed line, or adapted.
///
/// ```
/// # mod my_store {
/// #     pub async fn connect(_url: &str) -> Result<scim_core::InMemoryStore, std::io::Error> {
/// #         Ok(scim_core::InMemoryStore::new())
/// #     }
/// # }
/// // tests/store_contract.rs of a store crate
/// scim_store_contract::store_contract_tests!(async {
///     std::sync::Arc::new(my_store::connect("sqlite::memory:").await.unwrap()) as scim_store_contract::Store
/// });
/// # fn main() {}
/// ```
///
/// With declared capabilities:
///
/// ```
/// scim_store_contract::store_contract_tests!(
///     async { std::sync::Arc::new(scim_core::InMemoryStore::new()) as scim_store_contract::Store },
///     scim_store_contract::Capabilities::all().nested_groups(false)
/// );
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! store_contract_tests {
    (@names) => {
        $crate::store_contract_tests!(@list names [])
    };
    ($factory:expr) => {
        $crate::store_contract_tests!(@list tests [$factory, $crate::Capabilities::all()]);
    };
    ($factory:expr, $capabilities:expr $(,)?) => {
        $crate::store_contract_tests!(@list tests [$factory, $capabilities]);
    };
    (@list $mode:ident [$($factory:tt)*]) => {
        $crate::store_contract_tests! {@$mode [$($factory)*]
            create_assigns_identity,
            unknown_ids_are_not_found,
            replace_patch_and_delete,
            replace_keeps_write_only_values,
            failed_patch_changes_nothing,
            versions_are_checked,
            user_name_is_unique,
            group_display_name_is_unique,
            server_unique_attributes_are_enforced,
            paging_is_exact_and_stable,
            sort_orders_results,
            filter_results_equal_evaluation,
            membership_and_user_groups,
            group_patch_keeps_members,
            deletes_clean_up_membership,
            unknown_members_are_invalid,
            member_patches_check_versions,
            retrieve_agrees_with_get,
            create_retrieved_agrees_with_get,
            patch_retrieved_agrees_with_get,
            query_retrieved_agrees_with_query,
            member_display_follows_the_member,
            tenants_are_isolated,
            concurrent_creates_of_one_user_name,
            concurrent_member_adds,
            concurrent_replaces_with_one_version,
        }
    };
    (@tests [$factory:expr, $capabilities:expr] $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                let capabilities: $crate::Capabilities = $capabilities;
                if !capabilities.should_run(stringify!($case)) {
                    return;
                }
                $crate::run(async {
                    let store: $crate::Store = $factory.await;
                    $crate::cases::$case(store, $crate::Tenants::unique(), capabilities).await;
                });
            }
        )*
    };
    (@names [] $($case:ident),* $(,)?) => {
        &[$(stringify!($case)),*]
    };
}

#[cfg(test)]
mod tests {
    /// Each file of cases, in the order [`store_contract_tests!`](crate::store_contract_tests)
    /// lists them.
    const SOURCES: &[&str] = &[
        include_str!("cases/identity.rs"),
        include_str!("cases/uniqueness.rs"),
        include_str!("cases/queries.rs"),
        include_str!("cases/membership.rs"),
        include_str!("cases/tenancy.rs"),
        include_str!("cases/concurrency.rs"),
    ];

    #[test]
    fn every_case_is_listed() {
        let defined: Vec<&str> = SOURCES
            .iter()
            .flat_map(|source| source.lines())
            .filter_map(|line| line.strip_prefix("pub async fn "))
            .filter_map(|rest| rest.split('(').next())
            .collect();
        assert_eq!(super::CASES, defined.as_slice());
    }

    #[test]
    fn every_case_file_is_read() {
        let modules = include_str!("cases/mod.rs")
            .lines()
            .filter(|line| line.starts_with("mod "))
            .count();
        assert_eq!(modules, SOURCES.len());
    }
}
