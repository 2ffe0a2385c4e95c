//! The limits that bound what one request can make the server do: elements of a
//! multi-valued attribute, string lengths, `attributes`/`excludedAttributes` names and
//! PATCH work (each a [`ServerConfig`] field).

use serde_json::{Map, Value};

use crate::config::ServerConfig;
use crate::error::ScimError;
use crate::resource::Resource;
use crate::store::Query;

use super::Context;

/// The attribute exempt from [`ServerConfig::max_multi_valued`]: a Group's members live
/// in a membership index and cost per member changed.
const MEMBERS: &str = "members";

/// Checks every value of `resource` against the element and string limits:
/// `400 invalidValue` naming the attribute.
pub(crate) fn check_resource(config: &ServerConfig, resource: &Resource) -> Result<(), ScimError> {
    check_object(config, resource.attributes(), true)
}

/// Checks a JSON value a request carries (a PATCH value) against the same limits.
pub(crate) fn check_value(
    config: &ServerConfig,
    name: &str,
    value: &Value,
) -> Result<(), ScimError> {
    check_one(config, name, value, false)
}

fn check_object(
    config: &ServerConfig,
    object: &Map<String, Value>,
    top: bool,
) -> Result<(), ScimError> {
    object
        .iter()
        .try_for_each(|(name, value)| check_one(config, name, value, top))
}

fn check_one(config: &ServerConfig, name: &str, value: &Value, top: bool) -> Result<(), ScimError> {
    match value {
        Value::String(text) if text.len() > config.max_string_bytes => {
            Err(ScimError::invalid_value(format!(
                "{name}: a value of {} bytes is over the limit of {} bytes",
                text.len(),
                config.max_string_bytes
            )))
        }
        Value::Array(values) => {
            let exempt = top && name.eq_ignore_ascii_case(MEMBERS);
            if !exempt && values.len() > config.max_multi_valued {
                return Err(ScimError::invalid_value(format!(
                    "{name}: {} values are over the limit of {}",
                    values.len(),
                    config.max_multi_valued
                )));
            }
            values
                .iter()
                .try_for_each(|v| check_one(config, name, v, false))
        }
        // Extension objects hold top-level attributes of their own.
        Value::Object(object) => check_object(config, object, top && name.contains(':')),
        _ => Ok(()),
    }
}

/// `403` when the tenant already holds [`ServerConfig::max_resources_per_tenant`]
/// resources of all types (RFC 7644 §3.3: a creation the provider does not allow). The
/// store counts with `count: Some(0)` queries, which every store answers with the total
/// alone. Concurrent creates may pass the quota by at most
/// [`ServerConfig::tenant_concurrency`] − 1.
pub(crate) async fn check_quota(ctx: &Context<'_>) -> Result<(), ScimError> {
    let Some(max) = ctx.config.max_resources_per_tenant else {
        return Ok(());
    };
    // Only the totals: without `count: Some(0)` they would be the same, but each store
    // would load a page of resources for nothing (no response can tell the two apart).
    let count_only = Query {
        count: Some(0),
        ..Query::default()
    };
    let mut stored: u64 = 0;
    for rt in ctx.registry.resource_types() {
        let result = ctx.store().query(&ctx.store_ctx, rt, &count_only).await?;
        stored = stored.saturating_add(u64::try_from(result.total_results).unwrap_or(u64::MAX));
    }
    if stored >= max {
        return Err(ScimError::forbidden(format!(
            "the tenant holds {stored} resources, its quota is {max}: delete some first"
        )));
    }
    Ok(())
}

/// The elements of the largest multi-valued attribute of `resource` (members included:
/// a PATCH that walks them pays for each).
pub(crate) fn largest_multi_valued(resource: &Resource) -> usize {
    fn largest(object: &Map<String, Value>) -> usize {
        object
            .values()
            .map(|value| match value {
                Value::Array(values) => values.len(),
                Value::Object(inner) => largest(inner),
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }
    largest(resource.attributes())
}

/// `400 tooMany` when `operations` over a resource whose largest multi-valued attribute
/// holds `elements` is more work than [`ServerConfig::max_patch_work`].
pub(crate) fn check_patch_work(
    config: &ServerConfig,
    operations: usize,
    elements: usize,
) -> Result<(), ScimError> {
    let work = operations.saturating_mul(elements.max(1));
    if work > config.max_patch_work {
        return Err(ScimError::too_many(format!(
            "{operations} operations over {elements} values are {work} steps, over the \
             limit of {} per PATCH; send fewer operations per request",
            config.max_patch_work
        )));
    }
    Ok(())
}

/// `400 tooMany` when `attributes` or `excludedAttributes` lists more names than
/// [`ServerConfig::max_attribute_names`].
pub(crate) fn check_attribute_names(
    config: &ServerConfig,
    parameter: &str,
    names: usize,
) -> Result<(), ScimError> {
    if names > config.max_attribute_names {
        return Err(ScimError::too_many(format!(
            "{parameter} lists {names} names, over the limit of {}",
            config.max_attribute_names
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::error::ScimType;

    fn resource(value: Value) -> Resource {
        Resource::from_value_unchecked("User", value).unwrap()
    }

    fn small() -> ServerConfig {
        ServerConfig::default()
            .max_multi_valued(3)
            .max_string_bytes(8)
            .max_attribute_names(2)
            .max_patch_work(10)
    }

    #[test]
    fn multi_valued_attributes_are_bounded_except_members() {
        let config = small();
        let emails = |n: usize| {
            (0..n)
                .map(|i| json!({"value": format!("{i}")}))
                .collect::<Vec<_>>()
        };
        assert!(check_resource(&config, &resource(json!({"emails": emails(3)}))).is_ok());
        let err = check_resource(&config, &resource(json!({"emails": emails(4)}))).unwrap_err();
        assert_eq!(err.scim_type(), Some(ScimType::InvalidValue));
        assert!(check_resource(&config, &resource(json!({"members": emails(40)}))).is_ok());
        // In an extension too, and a nested `members` is not exempt.
        let ext = json!({"urn:x:ext": {"tags": ["a", "b", "c", "d"]}});
        assert!(check_resource(&config, &resource(ext)).is_err());
        let nested = json!({"x": {"members": ["a", "b", "c", "d"]}});
        assert!(check_resource(&config, &resource(nested)).is_err());
    }

    #[test]
    fn strings_are_bounded_everywhere() {
        let config = small();
        assert!(check_resource(&config, &resource(json!({"title": "12345678"}))).is_ok());
        for value in [
            json!({"title": "123456789"}),
            json!({"name": {"givenName": "123456789"}}),
            json!({"emails": [{"value": "123456789"}]}),
        ] {
            let err = check_resource(&config, &resource(value)).unwrap_err();
            assert_eq!(err.scim_type(), Some(ScimType::InvalidValue));
        }
        assert!(check_value(&config, "title", &json!("123456789")).is_err());
    }

    #[test]
    fn patch_work_and_attribute_names() {
        let config = small();
        assert!(check_patch_work(&config, 10, 1).is_ok());
        assert!(check_patch_work(&config, 10, 0).is_ok());
        let err = check_patch_work(&config, 4, 3).unwrap_err();
        assert_eq!(err.scim_type(), Some(ScimType::TooMany));
        assert!(check_attribute_names(&config, "attributes", 2).is_ok());
        assert!(check_attribute_names(&config, "attributes", 3).is_err());
        let r = resource(json!({"emails": [1, 2], "x": {"y": [1, 2, 3, 4, 5]}}));
        assert_eq!(largest_multi_valued(&r), 5);
    }
}
