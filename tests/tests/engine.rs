//! The conformance suite against the engine itself (`ScimServer::handle`).

scim_conformance::conformance_tests!(
    #[tokio::test]
    scim_conformance::Engine
);
