//! The step graph: steps as nodes of a petgraph DAG, edges from prerequisite to dependent,
//! with a stable topological order and the critical path of `due` targets.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use chrono::TimeDelta;
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;

use super::{DueFrom, Step};

/// The index of a step in its playbook (file order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct StepIx(u32);

impl StepIx {
    /// The position of the step in the playbook, from 0.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    pub(crate) fn from_index(i: usize) -> Self {
        // Step counts are bounded by the file-size limit far below u32::MAX.
        Self(u32::try_from(i).unwrap_or(u32::MAX))
    }

    fn node(self) -> NodeIndex {
        NodeIndex::new(self.index())
    }
}

/// The checked steps of a playbook and their dependencies. Always acyclic.
#[derive(Debug, Clone)]
pub struct StepGraph {
    steps: Vec<Step>,
    graph: DiGraph<StepIx, ()>,
    by_id: HashMap<String, StepIx>,
    order: Vec<StepIx>,
    targets: Vec<TimeDelta>,
    critical_path: Vec<StepIx>,
}

impl StepGraph {
    /// Builds the graph. Fails with the cycles found (each as the steps around it, the first
    /// repeated at the end) if the steps are not a DAG.
    pub(crate) fn new(steps: Vec<Step>) -> Result<StepGraph, Vec<Vec<StepIx>>> {
        let mut graph = DiGraph::with_capacity(steps.len(), steps.len() * 3);
        for i in 0..steps.len() {
            graph.add_node(StepIx::from_index(i));
        }
        for (i, step) in steps.iter().enumerate() {
            for pre in &step.after {
                graph.add_edge(pre.node(), NodeIndex::new(i), ());
            }
        }
        let order = stable_topological_order(&graph).ok_or_else(|| cycles(&graph))?;
        let by_id = steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), StepIx::from_index(i)))
            .collect();
        let (targets, critical_path) = critical_path(&steps, &order);
        Ok(StepGraph {
            steps,
            graph,
            by_id,
            order,
            targets,
            critical_path,
        })
    }

    /// All steps, in file order (index = [`StepIx::index`]).
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Number of steps.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether there are no steps (never true for a compiled playbook).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The step at `ix`.
    pub fn step(&self, ix: StepIx) -> Option<&Step> {
        self.steps.get(ix.index())
    }

    /// The step with this id.
    pub fn find(&self, id: &str) -> Option<StepIx> {
        self.by_id.get(id).copied()
    }

    /// Steps in dependency order; among steps free at the same time, file order.
    pub fn order(&self) -> &[StepIx] {
        &self.order
    }

    /// The petgraph graph (node weight = step index, edge = prerequisite → dependent).
    pub fn graph(&self) -> &DiGraph<StepIx, ()> {
        &self.graph
    }

    /// Worst-case target time of a step, from incident start, if every prerequisite takes
    /// its full `due` time.
    pub fn target(&self, ix: StepIx) -> TimeDelta {
        self.targets
            .get(ix.index())
            .copied()
            .unwrap_or_else(TimeDelta::zero)
    }

    /// The longest chain of `due` targets, from its first step to its last.
    pub fn critical_path(&self) -> &[StepIx] {
        &self.critical_path
    }

    /// The length of the critical path: how long the whole procedure may take if every step
    /// uses its full deadline.
    pub fn critical_duration(&self) -> TimeDelta {
        self.critical_path
            .last()
            .map_or_else(TimeDelta::zero, |last| self.target(*last))
    }

    /// Whether the edge `from → to` lies on the critical path.
    pub fn is_critical_edge(&self, from: StepIx, to: StepIx) -> bool {
        self.critical_path
            .windows(2)
            .any(|w| w[0] == from && w[1] == to)
    }
}

/// Kahn's algorithm with a min-heap, so independent steps keep their file order.
fn stable_topological_order(graph: &DiGraph<StepIx, ()>) -> Option<Vec<StepIx>> {
    let n = graph.node_count();
    let mut indegree: Vec<usize> = (0..n)
        .map(|i| {
            graph
                .neighbors_directed(NodeIndex::new(i), Direction::Incoming)
                .count()
        })
        .collect();
    let mut ready: BinaryHeap<Reverse<usize>> = indegree
        .iter()
        .enumerate()
        .filter(|(_, d)| **d == 0)
        .map(|(i, _)| Reverse(i))
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(i)) = ready.pop() {
        order.push(StepIx::from_index(i));
        for next in graph.neighbors_directed(NodeIndex::new(i), Direction::Outgoing) {
            let d = &mut indegree[next.index()];
            *d -= 1;
            if *d == 0 {
                ready.push(Reverse(next.index()));
            }
        }
    }
    (order.len() == n).then_some(order)
}

/// The cycles among steps given as prerequisite lists (`after[i]` = prerequisites of step
/// `i`), one per strongly connected component, each as a closed path.
pub(crate) fn cycles_in(after: &[Vec<StepIx>]) -> Vec<Vec<StepIx>> {
    let mut graph = DiGraph::with_capacity(after.len(), after.len() * 3);
    for i in 0..after.len() {
        graph.add_node(StepIx::from_index(i));
    }
    for (i, pres) in after.iter().enumerate() {
        for pre in pres {
            graph.add_edge(pre.node(), NodeIndex::new(i), ());
        }
    }
    cycles(&graph)
}

/// One cycle per strongly connected component that has one, as a closed path.
fn cycles(graph: &DiGraph<StepIx, ()>) -> Vec<Vec<StepIx>> {
    let mut found = Vec::new();
    for component in petgraph::algo::tarjan_scc(graph) {
        let Some(&start) = component.iter().min() else {
            continue;
        };
        let is_cycle = component.len() > 1 || graph.contains_edge(start, start);
        if !is_cycle {
            continue;
        }
        if let Some(path) = shortest_cycle_through(graph, start, &component) {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// Breadth-first search inside one component for the shortest way from `start` back to it.
fn shortest_cycle_through(
    graph: &DiGraph<StepIx, ()>,
    start: NodeIndex,
    component: &[NodeIndex],
) -> Option<Vec<StepIx>> {
    let mut parent: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        let mut next: Vec<NodeIndex> = graph
            .neighbors_directed(node, Direction::Outgoing)
            .filter(|n| component.contains(n))
            .collect();
        next.sort();
        for n in next {
            if n == start {
                let mut path = vec![node];
                let mut cur = node;
                while let Some(&p) = parent.get(&cur) {
                    path.push(p);
                    cur = p;
                }
                path.reverse();
                path.push(start);
                if path.first() != Some(&start) {
                    path.insert(0, start);
                }
                return Some(
                    path.into_iter()
                        .map(|n| StepIx::from_index(n.index()))
                        .collect(),
                );
            }
            if n != start && !parent.contains_key(&n) {
                parent.insert(n, node);
                queue.push_back(n);
            }
        }
    }
    None
}

/// Worst-case targets and the longest chain of them.
fn critical_path(steps: &[Step], order: &[StepIx]) -> (Vec<TimeDelta>, Vec<StepIx>) {
    let mut target = vec![TimeDelta::zero(); steps.len()];
    let mut via: Vec<Option<StepIx>> = vec![None; steps.len()];
    for &ix in order {
        let step = &steps[ix.index()];
        let (base, pred) = step
            .after
            .iter()
            .map(|p| (target[p.index()], *p))
            .max_by_key(|(t, p)| (*t, Reverse(*p)))
            .map_or((TimeDelta::zero(), None), |(t, p)| (t, Some(p)));
        let (t, from) = match step.due {
            None => (base, pred),
            Some(due) => match due.from {
                DueFrom::Ready => (base + due.within, pred),
                // A deadline from the start stands on its own unless prerequisites run later.
                DueFrom::Start if due.within >= base => (due.within, None),
                DueFrom::Start => (base, pred),
            },
        };
        target[ix.index()] = t;
        via[ix.index()] = from;
    }
    let Some(end) = order
        .iter()
        .copied()
        .max_by_key(|ix| (target[ix.index()], Reverse(*ix)))
    else {
        return (target, Vec::new());
    };
    let mut path = vec![end];
    let mut cur = end;
    while let Some(p) = via[cur.index()] {
        path.push(p);
        cur = p;
    }
    path.reverse();
    (target, path)
}
