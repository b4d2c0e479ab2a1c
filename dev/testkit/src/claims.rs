//! Checking unique-value markers against the records that hold the values.

use shared::store::Item;
use std::collections::{BTreeMap, BTreeSet};

/// Asserts the marker invariant: every value an owner holds has exactly one
/// marker, naming that owner; and every marker names an owner that holds
/// its value (no marker points elsewhere or nowhere).
///
/// `items` is a whole table; markers are the items whose `pk` starts with
/// `<namespace>#` and whose `sk` is `namespace`, naming their owner in
/// `owner_attr`; `held` maps each owner to the (normalized) values it holds.
pub fn assert_markers_consistent(
    items: &[Item],
    namespace: &str,
    owner_attr: &str,
    held: &BTreeMap<String, BTreeSet<String>>,
) {
    let prefix = format!("{namespace}#");
    let mut markers: BTreeMap<String, String> = BTreeMap::new();
    for item in items {
        let (Some(pk), Some(sk)) = (item.get("pk"), item.get("sk")) else {
            continue;
        };
        let (Ok(pk), Ok(sk)) = (pk.as_s(), sk.as_s()) else {
            continue;
        };
        if sk != namespace || !pk.starts_with(&prefix) {
            continue;
        }
        let owner = item
            .get(owner_attr)
            .and_then(|o| o.as_s().ok().cloned().or_else(|| o.as_n().ok().cloned()))
            .unwrap_or_default();
        markers.insert(pk[prefix.len()..].to_owned(), owner);
    }
    for (owner, values) in held {
        for value in values {
            assert_eq!(
                markers.get(value),
                Some(owner),
                "{owner} holds {value} but its marker says {:?}",
                markers.get(value)
            );
        }
    }
    for (value, owner) in &markers {
        assert!(
            held.get(owner).is_some_and(|values| values.contains(value)),
            "marker {value} names {owner:?}, which does not hold it"
        );
    }
}
