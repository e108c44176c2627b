package profile

// Summary is what `clientassert profiles` shows of a model.
type Summary struct {
	Name            string   `json:"name"`
	Title           string   `json:"title"`
	VerifiedAgainst string   `json:"verified_against"`
	TokenURL        string   `json:"token_url"`
	Audience        string   `json:"audience"`
	Algorithms      []string `json:"algorithms"`
	ClockToleranceS int      `json:"clock_tolerance_s"`
	JTI             string   `json:"jti"`
	Steps           int      `json:"steps"`
}

// Summarize describes a model for people choosing one.
func (p Profile) Summarize() Summary {
	s := Summary{
		Name: p.Name, Title: p.Title, VerifiedAgainst: "rules only", TokenURL: p.TokenURL,
		Audience: p.audienceRule(), Algorithms: p.Algorithms, ClockToleranceS: int(p.Tolerance.Seconds()),
		JTI: string(p.JTI), Steps: len(p.Steps),
	}
	if p.Verified != nil {
		s.VerifiedAgainst = p.Verified.Server + " " + p.Verified.Version
	}
	if s.TokenURL == "" {
		s.TokenURL = "(none: pass --aud)"
	}
	return s
}

func (p Profile) audienceRule() string {
	switch p.Aud {
	case AudTokenURLOrIssuer:
		return "the token URL or the issuer (--issuer)"
	case AudTokenURL:
		if p.StepIndex("aud-not-string") >= 0 {
			return "the token URL, as a single string"
		}
		return "the token URL"
	}
	return string(p.Aud)
}
