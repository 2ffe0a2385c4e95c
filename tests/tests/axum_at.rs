//! The conformance suite through `scim-axum`, merged into a host router with
//! `Scim::router_at("/scim/v2")`: the engine gets each request with its path unchanged.

scim_conformance::conformance_tests!(
    #[tokio::test]
    scim_conformance::AxumAt
);
