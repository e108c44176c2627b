package doctor

import (
	"net/url"
	"path/filepath"
	"strings"

	"github.com/clientassert/clientassert/pkg/doctor"
	"github.com/clientassert/clientassert/pkg/jwksfetch"
)

// SARIF 2.1.0, only the parts code scanning reads.

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	toolURI      = "https://github.com/clientassert/clientassert"
	docsURI      = toolURI + "/blob/main/docs/ci.md#"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      sarifText          `json:"fullDescription"`
	HelpURI              string             `json:"helpUri"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool `json:"executionSuccessful"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

// buildSARIF reports each failed check as an error, each warned one as a
// warning and each skipped one as a note; passing checks have no result.
// Code scanning wants a location for every result, so each one points at
// the input it is about: the key file for private-key, the key set (file or
// URL) for the rest.
func buildSARIF(r *doctor.Report, opts *DoctorOptions, version string) sarifLog {
	infos := doctor.Checks()
	rules := make([]sarifRule, len(infos))
	index := map[string]int{}
	for i, info := range infos {
		rules[i] = sarifRule{
			ID: info.ID, Name: pascal(info.ID),
			ShortDescription:     sarifText{info.Title},
			FullDescription:      sarifText{info.Description},
			HelpURI:              docsURI + info.ID,
			DefaultConfiguration: sarifConfiguration{Level: "error"},
		}
		index[info.ID] = i
	}
	keySetURI := jwksfetch.RedactURL(opts.JWKSURL)
	if keySetURI == "" {
		keySetURI = fileURI(opts.JWKSPath)
	}
	keyURI := keySetURI
	if !opts.KeyFromEnv && opts.Key != "-" {
		keyURI = fileURI(opts.Key)
	}
	results := []sarifResult{}
	for _, c := range r.Checks {
		level := ""
		switch {
		case c.Status == doctor.StatusPass:
			continue
		case c.Skipped:
			level = "note"
		case c.Status == doctor.StatusWarn:
			level = "warning"
		default:
			level = "error"
		}
		text := c.Message
		if c.Fix != "" {
			text += "\nFix: " + c.Fix
		}
		uri := keySetURI
		if c.ID == doctor.CheckPrivateKey {
			uri = keyURI
		}
		results = append(results, sarifResult{
			RuleID: c.ID, RuleIndex: index[c.ID], Level: level, Message: sarifText{text},
			Locations: []sarifLocation{{sarifPhysical{sarifArtifact{uri}}}},
		})
	}
	return sarifLog{
		Schema: sarifSchema, Version: sarifVersion,
		Runs: []sarifRun{{
			Tool:        sarifTool{sarifDriver{Name: "clientassert", Version: version, InformationURI: toolURI, Rules: rules}},
			Invocations: []sarifInvocation{{ExecutionSuccessful: true}},
			Results:     results,
		}},
	}
}

// fileURI makes a path a URI reference: relative paths stay relative (code
// scanning resolves them against the repository), absolute ones become
// file:// URIs.
func fileURI(path string) string {
	if path == "" || path == "-" {
		return "stdin"
	}
	slashed := filepath.ToSlash(path)
	if filepath.IsAbs(path) {
		return (&url.URL{Scheme: "file", Path: slashed}).String()
	}
	return (&url.URL{Path: strings.TrimPrefix(slashed, "./")}).String()
}

func pascal(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
