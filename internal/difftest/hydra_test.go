package difftest

import "testing"

// TestDiffHydra compares the hydra profile with ory/fosite v0.49.0 set up as
// Ory Hydra v2.3.0 sets it up, running on loopback. The client registers
// RS384 as its one signing alg, as a Hydra client does.
func TestDiffHydra(t *testing.T) {
	runDialect(t, dialect{kind: "hydra", profile: "hydra", alg: "RS384",
		algs: []string{"RS384"}, seed: 2300})
}
