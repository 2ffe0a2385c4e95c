//! The conformance suite: one set of cases, written once against the [`Harness`] trait
//! (send an `http::Request<Bytes>`, get an `http::Response<Bytes>`), and run three times:
//! against the engine directly ([`Engine`]), through `scim-axum` ([`Axum`]) and through
//! `scim-actix` ([`Actix`]). [`conformance_tests!`] makes one `#[test]` per case and
//! harness, so each failure is reported on its own:
//!
//! ```ignore
//! // tests/tests/axum.rs
//! scim_conformance::conformance_tests!(#[tokio::test] scim_conformance::Axum);
//! ```
//!
//! [`store_contract`] holds a second suite: what every `ResourceStore` must do.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: its assertions panic by design, and it indexes serde_json values"
)]

pub mod cases;
mod client;
mod harness;
pub mod store_contract;

pub use client::{Call, Client, Exchange, SCIM_JSON};
pub use harness::{
    ACME_READ_ONLY_TOKEN, ACME_TOKEN, Actix, Axum, Engine, GLOBEX_TOKEN, HOST_PRINCIPAL_HEADER,
    Harness, MOUNT, fixture_server, fixture_server_with,
};

/// Every case, as `module::case`, in the order [`conformance_tests!`] runs them.
///
/// ```
/// assert!(scim_conformance::CASES.contains(&"okta::group_push"));
/// ```
pub const CASES: &[&str] = conformance_tests!(@names);

/// Defines one test per case for a harness: `conformance_tests!(#[test attribute] Harness)`.
/// Tests are named `module::case` (e.g. `entra::group_push`); the attribute is the async
/// test runner the harness needs (`#[tokio::test]`, `#[actix_web::test]`).
///
/// Every `pub async fn` in `src/cases/` must be listed here; a unit test checks it.
#[macro_export]
macro_rules! conformance_tests {
    (#[$attr:meta] $harness:ty) => {
        $crate::conformance_tests!(@list tests [$attr] [$harness]);
    };
    (@names) => {
        $crate::conformance_tests!(@list names [] [])
    };
    (@list $mode:ident [$($attr:tt)*] [$($harness:tt)*]) => {
        $crate::conformance_tests! {@ $mode [$($attr)*] [$($harness)*]
            auth {
                missing_token,
                wrong_token,
                token_without_scope,
                authorization_scheme,
                host_principal,
                host_principal_is_checked,
                host_routes_are_untouched,
            }
            bulk {
                create_with_bulk_id,
                fail_on_errors,
                too_many_operations,
            }
            discovery {
                service_provider_config,
                resource_types,
                resource_type_by_name,
                schemas,
                schema_by_urn,
            }
            entra {
                connection_test,
                create_and_match,
                create_with_odd_casing,
                update,
                deactivate,
                group_push,
                manager_and_delete,
                put_ignores_unknown_attributes,
                duplicate_is_conflict,
            }
            errors {
                unknown_endpoint,
                no_tenant,
                method_not_allowed,
                body_too_large,
                body_not_an_object,
                wrong_value_type,
                count_above_max_results,
                paging_values_out_of_range,
                me_not_configured,
                errors_are_scim,
            }
            filters {
                user_name_eq_ignores_case,
                string_operators,
                logical_operators,
                value_path,
                external_id_eq,
                date_comparison,
                extension_attribute,
                invalid_filter,
                encodings,
                trailing_slash,
            }
            groups {
                create_with_members,
                duplicate_display_name,
                user_groups_follow_membership,
                deleted_user_leaves_groups,
                patch_members,
                replace_members,
                list_without_members,
                replace_group,
                delete_group,
            }
            okta {
                check_create_and_find,
                import_pages,
                full_put_update_and_deactivate,
                patch_deactivate,
                group_push,
                missing_user,
            }
            patch {
                replace_path,
                add,
                remove,
                replace_without_path,
                capitalised_ops_and_string_booleans,
                value_path_add_creates_element,
                value_path_replace,
                extension_paths,
                dotted_keys_without_path,
                atomic,
                invalid_operations,
                read_only_attribute,
                unknown_resource,
                unknown_member,
                too_many_operations,
                whole_extension,
            }
            rate_limit {
                over_budget,
                budgets_are_per_tenant,
                bad_keys_do_not_spend_the_budget,
            }
            tenancy {
                resources_are_invisible_across_tenants,
                uniqueness_is_per_tenant,
                key_of_another_tenant,
                members_stay_in_their_tenant,
            }
            users {
                create,
                create_with_plain_json,
                password_is_never_returned,
                create_without_user_name,
                create_duplicate_user_name,
                create_with_invalid_json,
                create_ignores_client_id,
                create_with_enterprise_extension,
                get_by_id,
                get_with_attributes,
                get_with_excluded_attributes,
                replace,
                replace_unknown,
                replace_to_taken_user_name,
                delete,
                list,
                list_pages,
                list_count_zero,
                list_sorted,
                search_post,
                search_root,
                if_match,
                if_none_match,
            }
        }
    };
    (@ tests [$attr:meta] [$harness:ty] $($module:ident { $($case:ident,)* })*) => {
        $(
            mod $module {
                $(
                    #[$attr]
                    async fn $case() {
                        $crate::cases::$module::$case::<$harness>().await;
                    }
                )*
            }
        )*
    };
    (@ names [] [] $($module:ident { $($case:ident,)* })*) => {
        &[$($(concat!(stringify!($module), "::", stringify!($case)),)*)*]
    };
}

#[cfg(test)]
mod tests {
    /// Each case file, to check that [`conformance_tests!`] lists every case.
    const SOURCES: &[(&str, &str)] = &[
        ("auth", include_str!("cases/auth.rs")),
        ("bulk", include_str!("cases/bulk.rs")),
        ("discovery", include_str!("cases/discovery.rs")),
        ("entra", include_str!("cases/entra.rs")),
        ("errors", include_str!("cases/errors.rs")),
        ("filters", include_str!("cases/filters.rs")),
        ("groups", include_str!("cases/groups.rs")),
        ("okta", include_str!("cases/okta.rs")),
        ("patch", include_str!("cases/patch.rs")),
        ("rate_limit", include_str!("cases/rate_limit.rs")),
        ("tenancy", include_str!("cases/tenancy.rs")),
        ("users", include_str!("cases/users.rs")),
    ];

    #[test]
    fn every_case_is_listed() {
        let mut defined = Vec::new();
        for (module, source) in SOURCES {
            for line in source.lines() {
                if let Some(rest) = line.strip_prefix("pub async fn ") {
                    let name = rest.split('<').next().unwrap_or_default();
                    defined.push(format!("{module}::{name}"));
                }
            }
        }
        let listed: Vec<String> = super::CASES.iter().map(|c| (*c).to_owned()).collect();
        assert_eq!(listed, defined);
    }
}
