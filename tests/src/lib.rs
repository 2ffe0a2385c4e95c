//! The conformance suite: one set of cases, written once against the [`Harness`] trait
//! (send an `http::Request<Bytes>`, get an `http::Response<Bytes>`), and run five times:
//! against the engine directly ([`Engine`]), through `scim-axum` nested ([`Axum`]),
//! merged with `router_at` ([`AxumAt`]) and in front of the router with `layer_at`
//! ([`AxumLayer`]), and through `scim-actix` ([`Actix`]). [`conformance_tests!`] makes
//! one `#[test]` per case and harness, so each failure is reported on its own:
//!
//! ```ignore
//! // tests/tests/axum.rs
//! scim_conformance::conformance_tests!(#[tokio::test] scim_conformance::Axum);
//! ```
//!
//! What every `ResourceStore` must do is the other suite, in the `scim-store-contract` crate.

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

pub use client::{Call, Client, Exchange, SCIM_JSON};
pub use harness::{
    ACME_READ_ONLY_TOKEN, ACME_TOKEN, Actix, Axum, AxumAt, AxumLayer, CLIENT_ADDR_HEADER, Engine,
    GLOBEX_TOKEN, HOST_NOT_FOUND, HOST_PRINCIPAL_HEADER, HOST_ROUTES, Harness, MOUNT,
    fixture_server, fixture_server_for, fixture_server_with, strict_fixture_server,
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
                custom_authenticator,
                me,
            }
            bulk {
                create_with_bulk_id,
                dependency_order,
                circular_references,
                patch_with_bulk_id,
                post_needs_bulk_id,
                fail_on_errors,
                too_many_operations,
                versions_are_checked,
                post_to_a_resource_path,
                schemas_of_another_message,
                payload_too_large,
            }
            discovery {
                service_provider_config,
                reflects_configuration,
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
                unsupported_media_type,
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
                attributes_win_over_excluded_attributes,
                create_with_members,
                duplicate_display_name,
                user_groups_follow_membership,
                deleted_user_leaves_groups,
                patch_members,
                replace_members,
                list_without_members,
                replace_group,
                references_are_absolute,
                delete_group,
            }
            leniency {
                ignore_unknown_schemas,
                ignore_unknown_attributes,
                coerce_boolean_strings,
                canonical_values_advisory,
                accept_single_value_as_array,
                wrap_bare_value,
                add_missing_extension_schemas,
                bare_word_values,
                value_path_comparison,
                case_insensitive_literals,
                unknown_attributes_match_nothing,
                case_insensitive_op,
                path_less_dotted_keys,
                remove_by_value_list,
                create_on_unmatched_filter,
                singular_value_filter,
                allow_empty_operations,
                ignore_read_only_echo,
                allow_missing_schema,
                remove_missing_is_noop,
            }
            narrowed {
                schemas_advertise_the_narrowed_type,
                post_refuses_undeclared_attributes,
                put_refuses_undeclared_attributes,
                patch_refuses_undeclared_attributes,
                bulk_refuses_undeclared_attributes,
            }
            limits {
                duplicate_member_names,
                nul_in_strings,
                patch_schemas_stay_consistent,
                if_match_without_tags,
                several_authorization_headers,
                responses_are_not_cached,
                multi_valued_elements,
                string_length,
                attribute_names,
                patch_work,
                bulk_counts_each_operation,
                bulk_max_operations_follows_the_rate_limit,
                resource_quota,
            }
            okta {
                check_create_and_find,
                import_pages,
                full_put_update_and_deactivate,
                patch_deactivate,
                group_push,
                missing_user,
            }
            passwords {
                change_password_follows_the_hasher,
                create_stores_only_a_hash,
                replace_keeps_or_rehashes,
                patch_hashes_every_shape,
                bulk_hashes_passwords,
                without_a_hasher_no_password_is_stored,
                never_filtered_or_sorted,
                errors_never_echo_a_password,
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
                schemas_stay_within_the_resource_type,
                remove_required_is_mutability,
                schemas_of_another_message,
                if_match_and_projection,
                no_content_by_configuration,
            }
            rate_limit {
                over_budget,
                budgets_are_per_tenant,
                bad_keys_do_not_spend_the_budget,
                failed_auth_is_limited_per_client,
            }
            tenancy {
                resources_are_invisible_across_tenants,
                uniqueness_is_per_tenant,
                key_of_another_tenant,
                members_stay_in_their_tenant,
                a_segment_that_is_no_tenant_id_is_not_found,
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
                delete_if_match,
                location_from_host,
                delete,
                list,
                list_pages,
                list_by_cursor,
                list_count_zero,
                list_sorted,
                search_post,
                search_root,
                if_match,
                if_none_match,
                attributes_with_a_filter,
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
        ("leniency", include_str!("cases/leniency.rs")),
        ("narrowed", include_str!("cases/narrowed.rs")),
        ("limits", include_str!("cases/limits.rs")),
        ("okta", include_str!("cases/okta.rs")),
        ("passwords", include_str!("cases/passwords.rs")),
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
