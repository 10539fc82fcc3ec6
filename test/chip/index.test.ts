import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chipModel, type ChipMapped } from '../../src/chip/index.js';
import { handCounts, plainNetwork, testArchitecture, testProfile } from './fixtures.js';

/**
 * Two fully connected LIF layers on adjacent tiles (lif1 on core 0 at tile (0, 0), lif2 on core 1 at tile (1, 0)),
 * fed by a processor-run encoding layer and read by a processor-run head; one sample, T = 2. Every expected number
 * below is derived by hand from SANA-FE's rules (arch/README.md, src/chip.cpp, src/schedule.cpp 'simple'):
 *   E_step = synapses x 35.5 + mapped neurons x (51.2 + 21.6) + fired x 69.3 + messages x (111 + 0) + hops x 3.0
 *   core send = N (6.0 + 3.7) + fired x 30 + messages out x 5.1; core receive = messages in x 16 + synapses x 3.8
 *   t_step = max(busiest core, processor) + sync(2 mapped tiles = 1000 ns)
 */
const close = (a: number | null, b: number, what: string) => {
  assert.ok(a !== null, `${what}: not estimated`);
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} != ${b}`);
};

function run(samples = 1): ChipMapped {
  const spec = plainNetwork();
  // spikes per neuron, t = 0 and t = 1 (x samples: counts are sums over samples)
  const x = (rows: number[][]) => rows.map((r) => r.map((v) => v * samples));
  const counts = handCounts(
    spec,
    2,
    {
      lif0: x([
        [1, 0, 1, 0],
        [0, 1, 0, 0],
      ]),
      lif1: x([
        [1, 1, 0],
        [0, 0, 1],
      ]),
      lif2: x([
        [0, 1],
        [1, 1],
      ]),
    },
    {
      fc0: { mac: [8, 8].map((v) => v * samples) },
      lif0: { neuronUpdate: [4, 4].map((v) => v * samples), spike: [2, 1].map((v) => v * samples) },
      mean: { add: [1, 2].map((v) => v * samples) },
      head: { mac: [0, 4].map((v) => v * samples) },
    },
    samples,
  );
  const r = chipModel(spec, counts, testProfile(testArchitecture()));
  assert.ok(r && r.mapped, 'maps');
  return r;
}

test('two LIF layers on adjacent tiles: mapping and placement', () => {
  const r = run();
  assert.equal(r.cores, 2);
  assert.equal(r.chips, 1);
  assert.equal(r.tiles, 2);
  assert.deepEqual(
    r.layers.map((l) => [l.layer, l.cores, l.firstCore, l.fanIn, l.binding]),
    [
      ['lif1', 1, 0, 4, 'neurons'],
      ['lif2', 1, 1, 3, 'neurons'],
    ],
  );
  assert.deepEqual(
    r.processor.layers.map((l) => l.layer),
    ['fc0', 'lif0', 'mean', 'head'],
  );
  assert.equal(r.latency.depthSteps, 5);
});

test('two LIF layers on adjacent tiles: messages, hops and synapse events per step', () => {
  const r = run();
  // t0: lif0 2 spikes -> 2 messages to core 0 (3 synapses each, 0 hops: the processor is at tile (0, 0));
  //     lif1 2 spikes -> 2 messages to core 1 (2 synapses each, 1 hop east); lif2 1 spike -> 1 message to the processor (1 hop west)
  // t1: lif0 1 -> 1 message (3 synapses); lif1 1 -> 1 message (2 synapses, 1 hop); lif2 2 -> 2 messages (1 hop each)
  assert.deepEqual(
    r.steps.map((s) => [
      s.messages,
      s.hopsEastWest,
      s.hopsNorthSouth,
      s.synapseEvents,
      s.spikes,
      s.messagesToProcessor,
      s.messagesFromProcessor,
    ]),
    [
      [5, 3, 0, 10, 5, 1, 2],
      [4, 3, 0, 5, 4, 2, 1],
    ],
  );
  assert.equal(r.totals.chipCrossings, 0);
  assert.deepEqual(
    r.layers.map((l) => [l.spikes, l.messages, l.hops, l.synapseEvents]),
    [
      [3, 3, 3, 9],
      [3, 3, 3, 6],
    ],
  );
});

test('two LIF layers on adjacent tiles: energy per step by SANA-FE rules, plus static power x image latency', () => {
  const r = run();
  const [s0, s1] = r.steps;
  // synapses: t0 10 x 35.5, t1 5 x 35.5
  close(s0!.energyPj.synapse, 355, 'synapse t0');
  close(s1!.energyPj.synapse, 177.5, 'synapse t1');
  // neurons: 5 mapped x (51.2 + 21.6) + fired on cores (t0: 2 + 1, t1: 1 + 2) x 69.3
  close(s0!.energyPj.neuron, 5 * 72.8 + 3 * 69.3, 'neuron t0');
  close(s1!.energyPj.neuron, 5 * 72.8 + 3 * 69.3, 'neuron t1');
  // network: messages x 111 + hops x 3.0
  close(s0!.energyPj.network, 5 * 111 + 3 * 3.0, 'network t0');
  close(s1!.energyPj.network, 4 * 111 + 3 * 3.0, 'network t1');
  // processor: t0 8 MAC x 4.6 + 4 LIF x 6.4 + 1 add x 0.9; t1 (8 + 4) MAC x 4.6 + 4 x 6.4 + 2 x 0.9 (spikes included in memWrite)
  close(s0!.energyPj.processor, 8 * 4.6 + 4 * 6.4 + 0.9, 'processor t0');
  close(s1!.energyPj.processor, 12 * 4.6 + 4 * 6.4 + 2 * 0.9, 'processor t1');
  const active = 355 + 177.5 + 2 * (5 * 72.8 + 3 * 69.3) + 9 * 111 + 6 * 3 + (8 * 4.6 + 25.6 + 0.9) + (12 * 4.6 + 25.6 + 1.8);
  close(r.energy.active.value, active, 'active');
  // static: 100 mW x 1 chip x image latency (ns) = pJ
  close(r.energy.static.value, 100 * r.latency.imageNs.value!, 'static');
  close(r.energy.total.value, active + 100 * r.latency.imageNs.value!, 'total');
  assert.equal(r.energy.complete, true);
});

test('two LIF layers on adjacent tiles: SANA-FE simple latency, image latency, throughput, link-load bound', () => {
  const r = run();
  const [s0, s1] = r.steps;
  // t0 core 0: send 3 x 9.7 + 2 x 30 + 2 x 5.1 = 99.3, receive 2 x 16 + 6 x 3.8 = 54.8; core 1: send 54.5, receive 47.2
  close(s0!.coreNs, 99.3, 'core t0');
  assert.equal(s0!.busiestCore?.core, 0);
  // t1 core 1: send 2 x 9.7 + 2 x 30 + 2 x 5.1 = 89.6 (core 0: 64.2)
  close(s1!.coreNs, 89.6, 'core t1');
  assert.equal(s1!.busiestCore?.core, 1);
  close(s0!.processorNs, 8 + 8 + 1, 'processor t0');
  close(s1!.processorNs, 12 + 8 + 2, 'processor t1');
  close(s0!.latencyNs, 99.3 + 1000, 'step t0');
  close(s1!.latencyNs, 89.6 + 1000, 'step t1');
  const sum = 99.3 + 89.6 + 2000;
  close(r.latency.stepNs.value, sum / 2, 'mean step');
  // image: the T steps + (depth 5 - 1) mean steps; throughput one image per T steps
  close(r.latency.imageNs.value, sum + 4 * (sum / 2), 'image');
  close(r.latency.imagesPerSecond.value, 1e9 / sum, 'throughput');
  // busiest link: t0 east 2 messages (lif1 -> lif2), t1 west 2 (lif2 -> processor): 2 x 4.1 ns
  close(s0!.linkBoundNs, 8.2, 'link t0');
  close(s1!.linkBoundNs, 8.2, 'link t1');
});

test('counts summed over samples give per-inference totals; per-step latency comes from the mean sample', () => {
  const one = run(1),
    three = run(3);
  assert.deepEqual(three.totals, one.totals);
  close(three.energy.active.value, one.energy.active.value!, 'active');
  close(three.latency.imageNs.value, one.latency.imageNs.value!, 'image');
  assert.ok(three.latency.notes.some((n) => /lower bound/.test(n)));
});

test('a missing coefficient is not estimated, never zero', () => {
  const spec = plainNetwork();
  const counts = handCounts(
    spec,
    2,
    {
      lif0: [
        [1, 0, 0, 0],
        [0, 0, 0, 0],
      ],
      lif1: [
        [1, 0, 0],
        [0, 0, 0],
      ],
      lif2: [
        [0, 0],
        [0, 0],
      ],
    },
    {},
  );
  const arch = testArchitecture();
  delete arch.events.messageOut;
  delete arch.staticPower;
  const r = chipModel(spec, counts, testProfile(arch));
  assert.ok(r && r.mapped);
  assert.equal(r.energy.network.value, null);
  assert.ok(r.energy.network.missing.includes('messageOut energy'));
  assert.equal(r.energy.static.value, null);
  assert.equal(r.energy.total.value, null);
  assert.equal(r.energy.complete, false);
  assert.equal(r.latency.stepNs.value, null, 'messageOut latency is missing too');
});

test('no architecture: no chip model', () => {
  const spec = plainNetwork();
  const p = testProfile(testArchitecture());
  delete p.architecture;
  assert.equal(chipModel(spec, handCounts(spec, 2, {}, {}), p), null);
});

test('a fan-in over the input axons is split into partial-sum neurons that send every step', () => {
  const spec = plainNetwork();
  const spikes = {
    lif0: [
      [1, 0, 1, 0],
      [0, 1, 0, 0],
    ],
    lif1: [
      [1, 1, 0],
      [0, 0, 1],
    ],
    lif2: [
      [0, 1],
      [1, 1],
    ],
  };
  const counts = handCounts(spec, 2, spikes, {});
  const whole = chipModel(spec, counts, testProfile(testArchitecture()));
  // 3 input axons per core: lif1 (fan-in 4) becomes 2 parts of 3 and 1 input channels plus its output neurons (fan-in 2)
  const split = chipModel(
    spec,
    counts,
    testProfile(testArchitecture({ maxInputAxons: { value: 3, provenance: 'fitted', source: 'test' } })),
  );
  assert.ok(whole?.mapped && split?.mapped);
  assert.deepEqual(
    split.layers.map((l) => [l.layer, l.fanIn]),
    [
      ['lif1#part0', 3],
      ['lif1#part1', 1],
      ['lif1', 2],
      ['lif2', 3],
    ],
  );
  // lif0's spikes reach only their channel's part (one message each, as before); each of the 2 x 3 partial neurons
  // sends one message per step to lif1's core: 12 more messages over 2 steps
  assert.equal(split.totals.messages, whole.totals.messages + 12);
  assert.equal(split.totals.synapseEvents, whole.totals.synapseEvents + 12);
  assert.ok(split.notes.some((n) => /^lif1: fan-in 4 over 3 input axons, split into 2 partial-sum neurons/.test(n)));
});

test("a grouped conv maps onto cores: fan-in C_in / groups, and a spike meets only its group's neurons", () => {
  const spec = plainNetwork();
  // fc1 as a 4 -> 4 linear in 2 groups: input channels 0-1 feed outputs 0-1, channels 2-3 feed outputs 2-3
  spec.layers = spec.layers.map((l) => {
    if (l.name === 'fc1' && l.kind === 'conv') return { ...l, out: { c: 4, h: 1, w: 1 }, groups: 2 };
    if (l.name === 'lif1' && l.kind === 'lif') return { ...l, out: { c: 4, h: 1, w: 1 } };
    if (l.name === 'fc2' && l.kind === 'conv') return { ...l, in: { c: 4, h: 1, w: 1 } };
    return l;
  });
  const counts = handCounts(
    spec,
    1,
    { lif0: [[1, 0, 0, 1]], lif1: [[0, 0, 0, 0]], lif2: [[0, 0]] },
    { fc0: { mac: [16] }, lif0: { neuronUpdate: [4], spike: [2] } },
  );
  const r = chipModel(spec, counts, testProfile(testArchitecture()));
  assert.ok(r && r.mapped, r && !r.mapped ? r.reason : 'maps');
  assert.deepEqual(
    r.layers.map((l) => [l.layer, l.cores, l.fanIn]),
    [
      ['lif1', 1, 2],
      ['lif2', 1, 4],
    ],
  );
  assert.ok(!r.processor.layers.some((l) => l.layer === 'fc1'), 'the grouped conv runs on cores');
  // lif0 neuron 0 (group 0) meets outputs 0 and 1, neuron 3 (group 1) outputs 2 and 3: 2 messages, 4 synapses (8 ungrouped)
  assert.deepEqual([r.steps[0]!.messages, r.steps[0]!.synapseEvents], [2, 4]);
});
