package awsapi

import (
	"context"
	"strconv"

	"github.com/connectmail/connectmail/apimodel"
	"github.com/connectmail/connectmail/connect"
)

// ConnectService returns the Connect API bound to svc.
func ConnectService(svc *connect.Service) *Service {
	h := map[string]Handler{
		"CreateInstance": func(ctx context.Context, c *Call) (any, error) {
			var in connect.CreateInstanceInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			return svc.CreateInstance(ctx, &in)
		},
		"DescribeInstance": func(ctx context.Context, c *Call) (any, error) {
			return svc.DescribeInstance(ctx, c.Labels["InstanceId"])
		},
		"ListInstances": func(ctx context.Context, c *Call) (any, error) {
			return svc.ListInstances(ctx, first(c.Query, "nextToken"), atoi(first(c.Query, "maxResults")))
		},
		"DeleteInstance": func(ctx context.Context, c *Call) (any, error) {
			return nil, svc.DeleteInstance(ctx, c.Labels["InstanceId"])
		},
		"CreateEmailAddress": func(ctx context.Context, c *Call) (any, error) {
			var in connect.CreateEmailAddressInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			in.InstanceID = c.Labels["InstanceId"]
			return svc.CreateEmailAddress(ctx, &in)
		},
		"DescribeEmailAddress": func(ctx context.Context, c *Call) (any, error) {
			return svc.DescribeEmailAddress(ctx, c.Labels["InstanceId"], c.Labels["EmailAddressId"])
		},
		"SearchEmailAddresses": func(ctx context.Context, c *Call) (any, error) {
			var in connect.SearchEmailAddressesInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			return svc.SearchEmailAddresses(ctx, &in)
		},
		"UpdateEmailAddressMetadata": func(ctx context.Context, c *Call) (any, error) {
			var in connect.UpdateEmailAddressMetadataInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			in.InstanceID, in.EmailAddressID = c.Labels["InstanceId"], c.Labels["EmailAddressId"]
			return svc.UpdateEmailAddressMetadata(ctx, &in)
		},
		"DeleteEmailAddress": func(ctx context.Context, c *Call) (any, error) {
			return nil, svc.DeleteEmailAddress(ctx, c.Labels["InstanceId"], c.Labels["EmailAddressId"])
		},
		"CreateContact": func(ctx context.Context, c *Call) (any, error) {
			var in connect.CreateContactInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			return svc.CreateContact(ctx, &in)
		},
		"DescribeContact": func(ctx context.Context, c *Call) (any, error) {
			return svc.DescribeContact(ctx, c.Labels["InstanceId"], c.Labels["ContactId"])
		},
		"StopContact": func(ctx context.Context, c *Call) (any, error) {
			var in connect.StopContactInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			return nil, svc.StopContact(ctx, &in)
		},
		"StartOutboundEmailContact": func(ctx context.Context, c *Call) (any, error) {
			var in connect.StartOutboundEmailContactInput
			if err := c.Decode(&in); err != nil {
				return nil, err
			}
			return svc.StartOutboundEmailContact(ctx, &in)
		},
	}
	return &Service{Model: apimodel.Connect(), Handlers: h}
}

func first(q map[string][]string, k string) string {
	if v := q[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
