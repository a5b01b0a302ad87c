// Package systemtest tests the blog system the way it runs in production:
// the blogctl binary, built once by TestMain with the serveonly tag, runs
// the event bus, posts, comments, query and moderation as separate
// "blogctl serve" processes on loopback ports, with the bus's log in a
// temporary directory, and the tests talk to them over real HTTP.
//
// The package holds only tests. They need nothing but the Go toolchain:
//
//	go test -race ./internal/services/systemtest/
//
// runs, in about 15 seconds:
//
//   - TestEndToEnd: posts and comments, one containing "orange", seen
//     approved and rejected by the query and comments services; then every
//     process stopped with SIGTERM exits cleanly.
//   - TestQueryRestart: the query service killed, writes made while it is
//     away, and everything seen once it is back.
//   - TestBusKilledMidLoad: the bus killed with SIGKILL while 8 clients
//     write, and restarted.
//   - TestKillEverything: every process killed with SIGKILL while 8 clients
//     write, and all restarted.
//   - TestWordsFromEnvironment: moderation's words set by BLOGCTL_WORDS.
//   - TestStartBeforeBus: the services started before the bus stay alive
//     and not ready, then catch up and serve once it is up.
//   - TestBusLogReplaced: the bus stopped, its data removed and a new bus
//     started on the same address: on the new log's first event every
//     service exits with status 1 and says the log was replaced; started
//     again, they show the new log's state and serve new writes.
//
// After each, every acknowledged post and comment must be in the query
// view exactly once with its status converged, and the bus's log must hold
// no fact twice: one CommentModerated and one CommentUpdated per comment.
//
// # Throughput benchmark
//
// TestThroughput drives the public API as 16 browsers would, each creating
// a post and then three comments on it, one in three containing "orange",
// against separate serve processes. In the ordinary test run it makes
// 2,000 writes, as a check that nothing is lost or doubled under load. As
// the benchmark it makes 40,000, and should run alone, without the race
// detector:
//
//	BLOGCTL_BENCH=1 go test -count=1 -run TestThroughput -v ./internal/services/systemtest/
//
// BLOGCTL_BENCH_WRITES and BLOGCTL_BENCH_CLIENTS change the number of
// writes and of clients. It
// reports writes per second, p50 and p99 write latency (overall, for posts
// and for comments), the time from the last acknowledged write until the
// query service shows the final state, the events in the log, how long a
// restarted query service takes to replay the log, and the CPU time of
// each process and of the simulated browsers; and it fails if anything acknowledged is lost or
// stored twice. The target is 2,000 writes/s with a p99 under 50 ms and
// convergence within 1 s, on 2 cores.
//
// On the same 2-core machine with nothing else running, three runs of
// 40,000 writes gave 2,222 to 2,405 writes/s, p50 5.7 to 6.2 ms, p99 23.6
// to 25.6 ms and convergence 0.19 to 0.25 s after the last write, nothing
// lost or doubled: every target met.
//
// Figures measured on a 2-core virtual machine that was, at the same time,
// compiling large Go projects for other work (load average 6 to 11 during
// the runs), 40,000 writes, three runs: 1,700 to 1,860 writes/s, p50 7.2
// to 8.0 ms, p99 31 to 35 ms, query converged 0.20 s after the last
// write, nothing lost or doubled. The processes of the system used about
// 0.55 ms of CPU per write in all (0.24 ms of it in the event bus) and the
// simulated browsers 0.1 ms more. The p99 and convergence targets were
// met; the throughput target of 2,000 writes/s was not, under that load.
// Figures vary by a third from run to run with the machine's other work.
// Each write waits for a group commit of the bus (two fdatasyncs), which
// took 2 ms at the median and 14 ms at the 99th percentile in such runs;
// the rest of a write's time is the four HTTP hops of the write and its
// publish, on a machine whose cores were shared with other work.
//
// Before the bus took arrays of events, the services ran with Go's default
// garbage collector target and the comments service read the log for
// every post it had not yet been sent, the same benchmark measured 1,080
// writes/s, p50 12.5 ms, p99 52 ms and 0.83 ms of CPU per write (0.40 ms
// in the bus), at a load average of 11 to 14.
package systemtest
