//! The conformance suite through `scim-axum`, as a tower layer in front of a whole host
//! router (`Scim::layer_at("/scim/v2")`): SCIM requests reach the engine before the
//! router does.

scim_conformance::conformance_tests!(
    #[tokio::test]
    scim_conformance::AxumLayer
);
