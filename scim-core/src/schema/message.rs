//! The `schemas` of a protocol message (PatchOp, BulkRequest, SearchRequest): the one
//! check every message endpoint makes (RFC 7644 §3.5.2, §3.7, §3.4.3).

use serde_json::Value;

use crate::error::ScimError;

/// Checks a message's `schemas` member against the URN of the message the endpoint
/// takes. A list naming that URN passes; a list naming only others (another message's
/// URN) is `400 invalidSyntax` in every mode; a missing, `null` or empty `schemas`
/// passes only when `allow_missing` (the endpoint says what the message is); anything
/// but an array of strings is `400 invalidSyntax`.
pub(crate) fn check_message_schemas(
    schemas: Option<&Value>,
    urn: &str,
    allow_missing: bool,
) -> Result<(), ScimError> {
    let urns: &[Value] = match schemas {
        None | Some(Value::Null) => &[],
        Some(Value::Array(urns)) if urns.iter().all(Value::is_string) => urns,
        Some(_) => {
            return Err(ScimError::invalid_syntax(
                "\"schemas\" must be an array of URNs",
            ));
        }
    };
    let listed = urns
        .iter()
        .filter_map(Value::as_str)
        .any(|u| u.eq_ignore_ascii_case(urn));
    if listed || (urns.is_empty() && allow_missing) {
        Ok(())
    } else {
        Err(ScimError::invalid_syntax(format!(
            "\"schemas\" must list {urn}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::check_message_schemas;
    use crate::error::ScimType;

    const URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

    #[test]
    fn the_message_urn_passes_in_any_case_and_beside_others() {
        for schemas in [
            json!([URN]),
            json!([URN.to_ascii_uppercase()]),
            json!(["urn:example:other", URN]),
        ] {
            assert!(check_message_schemas(Some(&schemas), URN, false).is_ok());
        }
    }

    #[test]
    fn missing_schemas_pass_only_when_allowed() {
        for schemas in [None, Some(json!(null)), Some(json!([]))] {
            assert!(check_message_schemas(schemas.as_ref(), URN, true).is_ok());
            let error = check_message_schemas(schemas.as_ref(), URN, false).unwrap_err();
            assert_eq!(error.scim_type(), Some(ScimType::InvalidSyntax));
        }
    }

    #[test]
    fn another_message_or_a_malformed_list_is_refused_in_every_mode() {
        for schemas in [
            json!(["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]),
            json!("urn:ietf:params:scim:api:messages:2.0:PatchOp"),
            json!([URN, 5]),
        ] {
            for allow_missing in [true, false] {
                let error = check_message_schemas(Some(&schemas), URN, allow_missing).unwrap_err();
                assert_eq!(
                    error.scim_type(),
                    Some(ScimType::InvalidSyntax),
                    "{schemas}"
                );
            }
        }
    }
}
