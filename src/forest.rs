//! A disjoint-set forest: which things end up in one group once pairs are joined.

/// Nodes `0..n`; `union` joins two groups, `find` names a node's group.
#[derive(Debug, Clone)]
pub struct Forest(Vec<usize>);

impl Forest {
    pub fn new(nodes: usize) -> Forest {
        Forest((0..nodes).collect())
    }

    /// Adds a node in a group of its own and returns it.
    pub fn add(&mut self) -> usize {
        self.0.push(self.0.len());
        self.0.len() - 1
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            // Halve the path on the way up, so later finds are shorter.
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    pub fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a] = b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Forest;

    #[test]
    fn joined_nodes_share_a_group_and_others_do_not() {
        let mut forest = Forest::new(5);
        forest.union(0, 1);
        forest.union(3, 1);
        assert_eq!(forest.find(0), forest.find(3));
        assert_ne!(forest.find(0), forest.find(2));
        assert_eq!(forest.find(4), 4);
    }
}
