// Marks for a profiler running over the process (scripts/heaptrack.sh): where the
// measured operations of a scenario begin and end. With MEMH_PHASE_MARKS=1 in the
// environment each mark is one malloc + free from a function of its own name, so the
// profiler's record shows it in its call stack, in order with every other
// allocation; without it, a mark does nothing. The runner marks just outside the
// meter's region, so the meter's figures never include the marks.
#pragma once

namespace memh::harness::alloc {

void MarkMeasuredPhaseBegin();
void MarkMeasuredPhaseEnd();

}  // namespace memh::harness::alloc
