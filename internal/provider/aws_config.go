package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var (
	arnPattern = regexp.MustCompile(`^arn:[a-z-]+:iam::\d{12}:role/.+$`)
	urlPattern = regexp.MustCompile(`^https?://[^\s/]+`)
)

// awsSettings is the AWS half of the provider block after Configure, before
// any client exists.
type awsSettings struct {
	Region                    string
	Profile                   string
	SharedConfigFiles         []string
	SharedCredentialsFiles    []string
	MaxRetries                *int
	SkipCredentialsValidation bool
	AssumeRole                *assumeRoleSettings
	Endpoints                 awsEndpoints
}

type assumeRoleSettings struct {
	RoleARN     string
	SessionName string
	ExternalID  string
}

// awsEndpoints override the SDK's own resolution (which already honours
// AWS_ENDPOINT_URL_<SERVICE>) per service; empty means "let the SDK decide".
type awsEndpoints struct {
	EC2, SSM, STS string
}

// loadAWSConfig builds the SDK configuration the way the AWS provider does:
// the SDK's default chain (environment, shared files, SSO, web identity,
// instance role) narrowed by the provider block. It does not touch the
// network; credentials are only resolved when first used.
func loadAWSConfig(ctx context.Context, s awsSettings, userAgent string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
				o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
					so.MaxAttempts = defaultMaxRetries + 1
					// The retry quota would turn a burst of throttling during a
					// large pool operation into hard failures; adaptive mode
					// already slows the client down instead.
					so.RateLimiter = ratelimit.None
				})
			})
		}),
		config.WithAppID(userAgent),
	}
	if s.Region != "" {
		opts = append(opts, config.WithRegion(s.Region))
	}
	if s.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(s.Profile))
	}
	if len(s.SharedConfigFiles) > 0 {
		opts = append(opts, config.WithSharedConfigFiles(s.SharedConfigFiles))
	}
	if len(s.SharedCredentialsFiles) > 0 {
		opts = append(opts, config.WithSharedCredentialsFiles(s.SharedCredentialsFiles))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, awsConfigError(s, err)
	}
	if s.MaxRetries != nil {
		// Wins over AWS_MAX_ATTEMPTS, which the SDK applies per client.
		cfg.RetryMaxAttempts = *s.MaxRetries + 1
	}
	if cfg.Region == "" {
		return aws.Config{}, errors.New("AWS region: not set (set region in the provider block, AWS_REGION, or a region in the AWS profile)")
	}
	if s.AssumeRole != nil {
		role := *s.AssumeRole
		stsClient := sts.NewFromConfig(cfg, stsEndpoint(s.Endpoints))
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, role.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			if role.SessionName != "" {
				o.RoleSessionName = role.SessionName
			}
			if role.ExternalID != "" {
				o.ExternalID = aws.String(role.ExternalID)
			}
		}))
	}
	return cfg, nil
}

func stsEndpoint(e awsEndpoints) func(*sts.Options) {
	return func(o *sts.Options) {
		if e.STS != "" {
			o.BaseEndpoint = aws.String(e.STS)
		}
	}
}

func awsConfigError(s awsSettings, err error) error {
	var notExist config.SharedConfigProfileNotExistError
	if errors.As(err, &notExist) {
		return fmt.Errorf("AWS profile %q: not found in the shared config files (%s)", notExist.Profile, strings.Join(notExist.Filename, ", "))
	}
	return fmt.Errorf("AWS configuration: %w", err)
}

// checkAWSCredentials resolves the credentials and, unless told not to, asks
// STS who they belong to, so that a missing or rejected credential becomes
// one error that says what to fix instead of a failed EC2 call deep inside a
// pool operation.
func checkAWSCredentials(ctx context.Context, cfg aws.Config, s awsSettings) error {
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		tflog.Debug(ctx, "AWS credential chain failed", map[string]any{"error": err.Error()})
		return credentialsError(s, err)
	}
	if s.SkipCredentialsValidation {
		return nil
	}
	_, err := sts.NewFromConfig(cfg, stsEndpoint(s.Endpoints)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			return fmt.Errorf("AWS credentials: rejected by STS GetCallerIdentity: %s: %s (set skip_credentials_validation = true for endpoints without STS)", apiErr.ErrorCode(), apiErr.ErrorMessage())
		}
		return fmt.Errorf("AWS credentials: validating with STS GetCallerIdentity: %w (set skip_credentials_validation = true for endpoints without STS)", err)
	}
	return nil
}

func credentialsError(s awsSettings, err error) error {
	var apiErr smithy.APIError
	switch {
	case s.AssumeRole != nil:
		if errors.As(err, &apiErr) {
			return fmt.Errorf("AWS credentials: cannot assume role %s: %s: %s", s.AssumeRole.RoleARN, apiErr.ErrorCode(), apiErr.ErrorMessage())
		}
		return fmt.Errorf("AWS credentials: cannot assume role %s: %w", s.AssumeRole.RoleARN, err)
	case s.Profile != "" || os.Getenv("AWS_PROFILE") != "":
		profile := s.Profile
		if profile == "" {
			profile = os.Getenv("AWS_PROFILE")
		}
		return fmt.Errorf("AWS credentials: profile %q gives no usable credentials: %w", profile, err)
	default:
		// The SDK's chain ends at the instance metadata service, whose error
		// (a timeout) would only mislead; TF_LOG=DEBUG shows it.
		return errors.New("AWS credentials: no credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the provider's profile, or assume_role; on EC2 an instance role works too)")
	}
}
