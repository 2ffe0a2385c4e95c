//! The conformance suite through `scim-axum`, nested at `/scim/v2` in a host router.

scim_conformance::conformance_tests!(
    #[tokio::test]
    scim_conformance::Axum
);
