package keys

import "testing"

func TestResolve(t *testing.T) {
	a, b, bare := &Key{KID: "a"}, &Key{KID: "a", Index: 1}, &Key{}
	set := &Set{Keys: []*Key{a, b}}
	if k, assumed := set.Resolve("a", true); k != a || assumed {
		t.Errorf("first match: %v %v", k, assumed)
	}
	for _, kid := range []any{"b", "", 5, nil} {
		if k, _ := set.Resolve(kid, true); k != nil {
			t.Errorf("Resolve(%v) = %v, want none", kid, k)
		}
	}
	single := &Set{Keys: []*Key{bare}}
	if k, assumed := single.Resolve("any", true); k != bare || !assumed {
		t.Errorf("a lone key without kid should stand in: %v %v", k, assumed)
	}
	if k, _ := single.Resolve("any", false); k != nil {
		t.Error("a key set is not a stand-in")
	}
	if k, _ := single.Resolve(5, true); k != nil {
		t.Error("a non-string kid matches nothing, even a stand-in")
	}
}
