import { expect, it } from "vitest";
import { MemoryCluster, memoryBackplane } from "../src/index.js";
import { backplaneContract, probe, record } from "./backplane-contract.js";

backplaneContract("memory", async () => {
  const cluster = new MemoryCluster({ history: 10_000, sessions: true });
  const nodes: ReturnType<MemoryCluster["node"]>[] = [];
  return {
    node: (id) => {
      const node = cluster.node(id);
      nodes.push(node);
      return node;
    },
    cleanup: async () => {
      for (const node of nodes) node.dispose();
    },
  };
});

it("memory: delivers synchronously and drops a disposed node's records at once", async () => {
  const cluster = new MemoryCluster();
  const a = await probe(cluster.node());
  const b = await probe(cluster.node());
  expect([a.node.nodeId, b.node.nodeId]).toEqual(["node-1", "node-2"]);
  expect(() => cluster.node("node-1")).toThrow(/already/);
  a.node.publish("r1", "x");
  expect(b.events).toEqual([{ runtimeId: "r1", text: "x", position: "0-1" }]);
  a.node.putRuntime(record("r1", "node-1"));
  a.node.dispose();
  expect(await b.node.listRuntimes()).toEqual([]);
  b.node.dispose();
});

it("memory: memoryBackplane() is one node alone", async () => {
  const node = memoryBackplane("solo");
  const p = await probe(node);
  node.broadcast({ kind: "runtime_forgotten", runtimeId: "r1" });
  expect(p.messages).toEqual([{ message: { kind: "runtime_forgotten", runtimeId: "r1" }, from: "solo" }]);
  node.dispose();
});

it("comparePositions orders stream ids, and frames within one entry by their index", async () => {
  const { comparePositions } = await import("../src/index.js");
  const sorted = ["1-0", "1-0-1", "1-0-2", "1-1", "2-0", "10-0", "10-0-10"];
  expect([...sorted].reverse().sort(comparePositions)).toEqual(sorted);
  expect(comparePositions("5-3", "5-3-0")).toBe(0);
});
