import { createReporter } from '@faultline/core';

const reporter = createReporter({ destination: process.env.FAULT_LOG ?? 1 });

// Every 10 s, one line of the reporter's counters (or hand them to your metrics library).
setInterval(() => {
  const { reported, written, compacted, lost, droppedQueueFull, droppedBacklog, queued, delivery } = reporter.stats;
  console.log(
    JSON.stringify({ reported, written, compacted, lost, droppedQueueFull, droppedBacklog, queued, delivery }),
  );
}, 10_000).unref();
