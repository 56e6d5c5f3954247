package main

import (
	"os"
	"testing"
)

func TestSetSDKLogLevels(t *testing.T) {
	cases := map[string]struct {
		env  map[string]string
		want string
	}{
		"nothing set: off":          {env: map[string]string{}, want: "off"},
		"TF_LOG applies":            {env: map[string]string{"TF_LOG": "DEBUG"}, want: "DEBUG"},
		"TF_LOG_PROVIDER wins":      {env: map[string]string{"TF_LOG": "DEBUG", "TF_LOG_PROVIDER": "TRACE"}, want: "TRACE"},
		"TF_LOG_SDK wins":           {env: map[string]string{"TF_LOG": "DEBUG", "TF_LOG_SDK": "WARN"}, want: "WARN"},
		"an explicit level is kept": {env: map[string]string{"TF_LOG": "DEBUG", "TF_LOG_SDK_FRAMEWORK": "ERROR", "TF_LOG_SDK_PROTO": "ERROR"}, want: "ERROR"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			for _, k := range append([]string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK"}, sdkLogLevelEnvs...) {
				t.Setenv(k, tc.env[k])
			}
			setSDKLogLevels()
			for _, k := range sdkLogLevelEnvs {
				if got := os.Getenv(k); got != tc.want {
					t.Errorf("%s = %q, want %q", k, got, tc.want)
				}
			}
		})
	}
}
