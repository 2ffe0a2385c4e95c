//! The conformance suite through `scim-actix`, in a `/scim/v2` scope of a host app.

scim_conformance::conformance_tests!(
    #[actix_web::test]
    scim_conformance::Actix
);
