package awsapi

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/connectmail/connectmail/apimodel"
	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
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
	addEmailHandlers(h, svc)
	return &Service{Model: apimodel.Connect(), Handlers: h}
}

// bind decodes the call's bound and validated input document (body, URI
// labels and query alike, under their model member names) into v.
func bind(c *Call, v any) error {
	b, err := json.Marshal(c.Doc)
	if err != nil {
		return fault.Wrap(err, "re-encoding the input document failed")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fault.New(fault.Invalid, "The request could not be decoded: %v", err)
	}
	return nil
}

// handle makes a Handler from a function of the decoded input.
func handle[In any](fn func(ctx context.Context, in *In) (any, error)) Handler {
	return func(ctx context.Context, c *Call) (any, error) {
		in := new(In)
		if err := bind(c, in); err != nil {
			return nil, err
		}
		return fn(ctx, in)
	}
}

// addEmailHandlers adds the handlers of the email operations beyond the
// spine. Operations without an output answer an empty object.
func addEmailHandlers(h map[string]Handler, svc *connect.Service) {
	none := func(err error) (any, error) { return nil, err }
	h["StartEmailContact"] = handle(func(ctx context.Context, in *connect.StartEmailContactInput) (any, error) {
		return svc.StartEmailContact(ctx, in)
	})
	h["SendOutboundEmail"] = handle(func(ctx context.Context, in *connect.SendOutboundEmailInput) (any, error) {
		return none(svc.SendOutboundEmail(ctx, in))
	})
	h["AssociateEmailAddressAlias"] = handle(func(ctx context.Context, in *connect.EmailAddressAliasInput) (any, error) {
		return none(svc.AssociateEmailAddressAlias(ctx, in))
	})
	h["DisassociateEmailAddressAlias"] = handle(func(ctx context.Context, in *connect.EmailAddressAliasInput) (any, error) {
		return none(svc.DisassociateEmailAddressAlias(ctx, in))
	})
	h["GetContactAttributes"] = func(ctx context.Context, c *Call) (any, error) {
		return svc.GetContactAttributes(ctx, c.Labels["InstanceId"], c.Labels["InitialContactId"])
	}
	h["UpdateContactAttributes"] = handle(func(ctx context.Context, in *connect.UpdateContactAttributesInput) (any, error) {
		return none(svc.UpdateContactAttributes(ctx, in))
	})
	h["ListContactReferences"] = handle(func(ctx context.Context, in *connect.ListContactReferencesInput) (any, error) {
		return svc.ListContactReferences(ctx, in)
	})
	h["StartAttachedFileUpload"] = handle(func(ctx context.Context, in *connect.StartAttachedFileUploadInput) (any, error) {
		return svc.StartAttachedFileUpload(ctx, in)
	})
	h["CompleteAttachedFileUpload"] = handle(func(ctx context.Context, in *connect.AttachedFileInput) (any, error) {
		return none(svc.CompleteAttachedFileUpload(ctx, in))
	})
	h["GetAttachedFile"] = handle(func(ctx context.Context, in *connect.AttachedFileInput) (any, error) {
		return svc.GetAttachedFile(ctx, in)
	})
	h["TagResource"] = handle(func(ctx context.Context, in *connect.TagResourceInput) (any, error) {
		return none(svc.TagResource(ctx, in))
	})
	h["UntagResource"] = handle(func(ctx context.Context, in *connect.UntagResourceInput) (any, error) {
		return none(svc.UntagResource(ctx, in))
	})
	h["ListTagsForResource"] = func(ctx context.Context, c *Call) (any, error) {
		return svc.ListTagsForResource(ctx, c.Labels["resourceArn"])
	}
	h["AssociateQueueEmailAddresses"] = handle(func(ctx context.Context, in *connect.QueueEmailAddressesInput) (any, error) {
		return none(svc.AssociateQueueEmailAddresses(ctx, in))
	})
	h["DisassociateQueueEmailAddresses"] = handle(func(ctx context.Context, in *connect.QueueEmailAddressesInput) (any, error) {
		return none(svc.DisassociateQueueEmailAddresses(ctx, in))
	})
	h["ListQueueEmailAddresses"] = handle(func(ctx context.Context, in *connect.ListQueueEmailAddressesInput) (any, error) {
		return svc.ListQueueEmailAddresses(ctx, in)
	})
	h["UpdateQueueOutboundEmailConfig"] = handle(func(ctx context.Context, in *connect.UpdateQueueOutboundEmailConfigInput) (any, error) {
		return none(svc.UpdateQueueOutboundEmailConfig(ctx, in))
	})
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
