package awsapi

import (
	"context"
	"strconv"

	"github.com/connectmail/connectmail/apimodel"
	"github.com/connectmail/connectmail/connect"
)

// ConnectService returns the Connect API bound to svc.
func ConnectService(svc *connect.Service) *Service {
	m := apimodel.Connect()
	h := map[string]Handler{
		"CreateInstance": handle(m, "CreateInstance", func(ctx context.Context, c *Call, in *connect.CreateInstanceInput) (any, error) {
			return svc.CreateInstance(ctx, in)
		}),
		"DescribeInstance": func(ctx context.Context, c *Call) (any, error) {
			return svc.DescribeInstance(ctx, c.Labels["InstanceId"])
		},
		"ListInstances": func(ctx context.Context, c *Call) (any, error) {
			return svc.ListInstances(ctx, first(c.Query, "nextToken"), atoi(first(c.Query, "maxResults")))
		},
		"DeleteInstance": func(ctx context.Context, c *Call) (any, error) {
			return nil, svc.DeleteInstance(ctx, c.Labels["InstanceId"])
		},
		"CreateEmailAddress": handle(m, "CreateEmailAddress", func(ctx context.Context, c *Call, in *connect.CreateEmailAddressInput) (any, error) {
			in.InstanceID = c.Labels["InstanceId"]
			return svc.CreateEmailAddress(ctx, in)
		}),
		"DescribeEmailAddress": func(ctx context.Context, c *Call) (any, error) {
			return svc.DescribeEmailAddress(ctx, c.Labels["InstanceId"], c.Labels["EmailAddressId"])
		},
		"SearchEmailAddresses": handle(m, "SearchEmailAddresses", func(ctx context.Context, c *Call, in *connect.SearchEmailAddressesInput) (any, error) {
			return svc.SearchEmailAddresses(ctx, in)
		}),
		"UpdateEmailAddressMetadata": handle(m, "UpdateEmailAddressMetadata", func(ctx context.Context, c *Call, in *connect.UpdateEmailAddressMetadataInput) (any, error) {
			in.InstanceID, in.EmailAddressID = c.Labels["InstanceId"], c.Labels["EmailAddressId"]
			return svc.UpdateEmailAddressMetadata(ctx, in)
		}),
		"DeleteEmailAddress": func(ctx context.Context, c *Call) (any, error) {
			return nil, svc.DeleteEmailAddress(ctx, c.Labels["InstanceId"], c.Labels["EmailAddressId"])
		},
		"CreateContact": handle(m, "CreateContact", func(ctx context.Context, c *Call, in *connect.CreateContactInput) (any, error) {
			return svc.CreateContact(ctx, in)
		}),
		"DescribeContact": func(ctx context.Context, c *Call) (any, error) {
			return svc.DescribeContact(ctx, c.Labels["InstanceId"], c.Labels["ContactId"])
		},
		"StopContact": handle(m, "StopContact", func(ctx context.Context, c *Call, in *connect.StopContactInput) (any, error) {
			return nil, svc.StopContact(ctx, in)
		}),
		"StartOutboundEmailContact": handle(m, "StartOutboundEmailContact", func(ctx context.Context, c *Call, in *connect.StartOutboundEmailContactInput) (any, error) {
			return svc.StartOutboundEmailContact(ctx, in)
		}),
	}
	addEmailHandlers(h, svc, m)
	return &Service{Model: m, Handlers: h}
}

// addEmailHandlers adds the handlers of the email operations beyond the
// spine. Operations without an output answer an empty object.
func addEmailHandlers(h map[string]Handler, svc *connect.Service, m *apimodel.Service) {
	h["StartEmailContact"] = handle(m, "StartEmailContact", func(ctx context.Context, _ *Call, in *connect.StartEmailContactInput) (any, error) {
		return svc.StartEmailContact(ctx, in)
	})
	h["SendOutboundEmail"] = handle(m, "SendOutboundEmail", func(ctx context.Context, _ *Call, in *connect.SendOutboundEmailInput) (any, error) {
		return none(svc.SendOutboundEmail(ctx, in))
	})
	h["AssociateEmailAddressAlias"] = handle(m, "AssociateEmailAddressAlias", func(ctx context.Context, _ *Call, in *connect.EmailAddressAliasInput) (any, error) {
		return none(svc.AssociateEmailAddressAlias(ctx, in))
	})
	h["DisassociateEmailAddressAlias"] = handle(m, "DisassociateEmailAddressAlias", func(ctx context.Context, _ *Call, in *connect.EmailAddressAliasInput) (any, error) {
		return none(svc.DisassociateEmailAddressAlias(ctx, in))
	})
	h["GetContactAttributes"] = func(ctx context.Context, c *Call) (any, error) {
		return svc.GetContactAttributes(ctx, c.Labels["InstanceId"], c.Labels["InitialContactId"])
	}
	h["UpdateContactAttributes"] = handle(m, "UpdateContactAttributes", func(ctx context.Context, _ *Call, in *connect.UpdateContactAttributesInput) (any, error) {
		return none(svc.UpdateContactAttributes(ctx, in))
	})
	h["ListContactReferences"] = handle(m, "ListContactReferences", func(ctx context.Context, _ *Call, in *connect.ListContactReferencesInput) (any, error) {
		return svc.ListContactReferences(ctx, in)
	})
	h["StartAttachedFileUpload"] = handle(m, "StartAttachedFileUpload", func(ctx context.Context, _ *Call, in *connect.StartAttachedFileUploadInput) (any, error) {
		return svc.StartAttachedFileUpload(ctx, in)
	})
	h["CompleteAttachedFileUpload"] = handle(m, "CompleteAttachedFileUpload", func(ctx context.Context, _ *Call, in *completeAttachedFileUploadInput) (any, error) {
		return none(svc.CompleteAttachedFileUpload(ctx, &connect.AttachedFileInput{InstanceID: in.InstanceID, FileID: in.FileID, AssociatedResourceArn: in.AssociatedResourceArn}))
	})
	h["GetAttachedFile"] = handle(m, "GetAttachedFile", func(ctx context.Context, _ *Call, in *connect.AttachedFileInput) (any, error) {
		return svc.GetAttachedFile(ctx, in)
	})
	h["TagResource"] = handle(m, "TagResource", func(ctx context.Context, _ *Call, in *connect.TagResourceInput) (any, error) {
		return none(svc.TagResource(ctx, in))
	})
	h["UntagResource"] = handle(m, "UntagResource", func(ctx context.Context, _ *Call, in *connect.UntagResourceInput) (any, error) {
		return none(svc.UntagResource(ctx, in))
	})
	h["ListTagsForResource"] = func(ctx context.Context, c *Call) (any, error) {
		return svc.ListTagsForResource(ctx, c.Labels["resourceArn"])
	}
	h["AssociateQueueEmailAddresses"] = handle(m, "AssociateQueueEmailAddresses", func(ctx context.Context, _ *Call, in *associateQueueEmailAddressesInput) (any, error) {
		return none(svc.AssociateQueueEmailAddresses(ctx, &connect.QueueEmailAddressesInput{InstanceID: in.InstanceID, QueueID: in.QueueID, EmailAddressesConfig: in.EmailAddressesConfig, ClientToken: in.ClientToken}))
	})
	h["DisassociateQueueEmailAddresses"] = handle(m, "DisassociateQueueEmailAddresses", func(ctx context.Context, _ *Call, in *disassociateQueueEmailAddressesInput) (any, error) {
		return none(svc.DisassociateQueueEmailAddresses(ctx, &connect.QueueEmailAddressesInput{InstanceID: in.InstanceID, QueueID: in.QueueID, EmailAddressesID: in.EmailAddressesID, ClientToken: in.ClientToken}))
	})
	h["ListQueueEmailAddresses"] = handle(m, "ListQueueEmailAddresses", func(ctx context.Context, _ *Call, in *connect.ListQueueEmailAddressesInput) (any, error) {
		return svc.ListQueueEmailAddresses(ctx, in)
	})
	h["UpdateQueueOutboundEmailConfig"] = handle(m, "UpdateQueueOutboundEmailConfig", func(ctx context.Context, _ *Call, in *connect.UpdateQueueOutboundEmailConfigInput) (any, error) {
		return none(svc.UpdateQueueOutboundEmailConfig(ctx, in))
	})
}

// completeAttachedFileUploadInput is the CompleteAttachedFileUpload request.
type completeAttachedFileUploadInput struct {
	InstanceID            string `json:"InstanceId"`
	FileID                string `json:"FileId"`
	AssociatedResourceArn string `json:"AssociatedResourceArn"`
}

// associateQueueEmailAddressesInput is the AssociateQueueEmailAddresses request.
type associateQueueEmailAddressesInput struct {
	InstanceID           string                       `json:"InstanceId"`
	QueueID              string                       `json:"QueueId"`
	EmailAddressesConfig []connect.AliasConfiguration `json:"EmailAddressesConfig"`
	ClientToken          string                       `json:"ClientToken"`
}

// disassociateQueueEmailAddressesInput is the DisassociateQueueEmailAddresses request.
type disassociateQueueEmailAddressesInput struct {
	InstanceID       string   `json:"InstanceId"`
	QueueID          string   `json:"QueueId"`
	EmailAddressesID []string `json:"EmailAddressesId"`
	ClientToken      string   `json:"ClientToken"`
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
