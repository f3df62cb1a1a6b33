//! Ports claimed by the keys of a config, to find two keys that want the same port.

use std::collections::BTreeMap;

use super::problem::ConfigProblem;

/// The JSON path of the key that claimed each port first.
#[derive(Debug, Default)]
pub(crate) struct PortOwners(BTreeMap<u16, String>);

impl PortOwners {
    /// Records that the key at `path` uses `port`. When another key already uses it, returns an
    /// error at `path` whose message names both keys.
    pub(crate) fn claim(&mut self, port: u16, path: &str) -> Option<ConfigProblem> {
        if let Some(owner) = self.0.get(&port) {
            return Some(ConfigProblem::error(path, format!("port {port} of {path} is also used by {owner}")));
        }
        self.0.insert(port, path.to_owned());
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_claim_names_both_keys() {
        let mut owners = PortOwners::default();
        assert_eq!(owners.claim(1234, "proxies.lmstudio.port"), None);

        let problem = owners.claim(1234, "models.A.parameters.port").expect("collision");
        assert_eq!(problem.path, "models.A.parameters.port");
        assert!(problem.message.contains("proxies.lmstudio.port"), "{}", problem.message);
        assert!(problem.message.contains("models.A.parameters.port"), "{}", problem.message);
    }
}
