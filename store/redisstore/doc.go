// Package redisstore keeps the switches of online table moves, and the state of the fleet
// that reads them, in Redis: the production tandem.SwitchStore for many application
// instances.
//
// # Keys
//
// With the default prefix "tandem", a move named orders uses:
//
//	tandem:move:orders          a string: exactly the 4-character switches ("1101"), so that a
//	                            program in any language reads them with one GET; a missing key
//	                            means 1100
//	tandem:move:orders:state    a hash: phase, version, epoch, paused (0 or 1), updated_at
//	tandem:move:orders:audit    a list of JSON transitions, oldest first: move, from, to,
//	                            version, epoch, by, reason, forced, at
//	tandem:moves                the channel every change is published on, as the new state in
//	                            JSON: move, phase, switches, version, epoch, paused, updated_at
//	tandem:instance:<id>        a heartbeat (JSON: instance, code_version, epochs, at), expiring
//	                            with its time to live
//	tandem:instances            a sorted set of instance ids, scored by expiry, for listing
//	tandem:lease:<resource>     the holder of a lease, expiring with its time to live
//
// Times are the UTC clock of the process that writes, at microsecond precision, in RFC 3339
// ("2026-01-02T15:04:05.000000Z"); expiry of heartbeats and leases is Redis's own.
//
// # Guards
//
// Transition and SetPaused are one Lua script each: the script reads the state, checks the
// version and the legality of the step, writes the switches, the state and the audit entry,
// and publishes, atomically. The phase rules are written into the script too, so a caller that
// runs the script by hand cannot skip a phase either, and every script that writes the switches
// key (including SetSwitchesRaw) refuses any value other than 1100, 1101, 0111 and 0011.
// Only a client that SETs the key directly bypasses the guard; grant applications read access
// only (for example with a Redis ACL allowing GET on the move keys).
//
// Move names are 1 to 128 bytes of UTF-8 without colons, spaces or control characters, so that
// no name's keys collide with another's. On Redis Cluster, a move's keys must share a slot:
// name the move with a hash tag, such as {orders}.
//
// # Notification
//
// Subscribe uses Redis pub/sub. go-redis reconnects a broken subscription on its own, but
// messages published while it was down are lost, so readers must also poll State now and then
// (a process that caches the switches should do both).
//
// A Store is safe for concurrent use.
package redisstore
