package awsapi

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/connectmail/connectmail/apimodel"
	"github.com/connectmail/connectmail/connect"
)

// ConnectService returns the Connect API bound to svc. Each handler maps
// its wire request (connect_wire.go) to the service's input and the
// service's result to its wire response.
func ConnectService(svc *connect.Service) *Service {
	m := apimodel.Connect()
	h := map[string]Handler{
		"CreateInstance": handle(m, "CreateInstance", func(ctx context.Context, _ *Call, in *createInstanceInput) (any, error) {
			tok := clientToken(in, &in.ClientToken)
			r, err := svc.CreateInstance(ctx, &connect.CreateInstanceInput{
				ClientToken: tok, IdentityManagementType: in.IdentityManagementType, InstanceAlias: in.InstanceAlias,
				DirectoryID: in.DirectoryID, InboundCallsEnabled: in.InboundCallsEnabled, OutboundCallsEnabled: in.OutboundCallsEnabled,
				Tags: in.Tags,
			})
			if err != nil {
				return nil, err
			}
			return &createInstanceOutput{ID: r.ID, ARN: r.ARN}, nil
		}),
		"DescribeInstance": func(ctx context.Context, c *Call) (any, error) {
			inst, err := svc.DescribeInstance(ctx, c.Labels["InstanceId"])
			if err != nil {
				return nil, err
			}
			return &describeInstanceOutput{Instance: instanceData(inst)}, nil
		},
		"ListInstances": func(ctx context.Context, c *Call) (any, error) {
			list, next, err := svc.ListInstances(ctx, first(c.Query, "nextToken"), atoi(first(c.Query, "maxResults")))
			if err != nil {
				return nil, err
			}
			out := &listInstancesOutput{InstanceSummaryList: []instanceView{}, NextToken: next}
			for _, inst := range list {
				v := instanceData(inst)
				v.Tags = nil
				out.InstanceSummaryList = append(out.InstanceSummaryList, v)
			}
			return out, nil
		},
		"DeleteInstance": func(ctx context.Context, c *Call) (any, error) {
			return none(svc.DeleteInstance(ctx, c.Labels["InstanceId"]))
		},
		"CreateEmailAddress": handle(m, "CreateEmailAddress", func(ctx context.Context, c *Call, in *createEmailAddressInput) (any, error) {
			r, err := svc.CreateEmailAddress(ctx, &connect.CreateEmailAddressInput{
				InstanceID: c.Labels["InstanceId"], Description: in.Description, EmailAddress: in.EmailAddress,
				DisplayName: in.DisplayName, Tags: in.Tags,
			})
			return emailAddressRefOf(r, err)
		}),
		"DescribeEmailAddress": func(ctx context.Context, c *Call) (any, error) {
			a, err := svc.DescribeEmailAddress(ctx, c.Labels["InstanceId"], c.Labels["EmailAddressId"])
			if err != nil {
				return nil, err
			}
			e := a.Address
			return &describeEmailAddressOutput{
				EmailAddressID: e.ID, EmailAddressARN: e.ARN, EmailAddress: e.Address,
				DisplayName: e.DisplayName, Description: e.Description,
				CreateTimestamp: isoTime(e.CreatedAt), ModifiedTimestamp: isoTime(e.ModifiedAt),
				AliasConfigurations: aliasConfigurations(a.AliasIDs), Tags: e.Tags,
			}, nil
		},
		"SearchEmailAddresses": handle(m, "SearchEmailAddresses", func(ctx context.Context, _ *Call, in *searchEmailAddressesInput) (any, error) {
			q := &connect.SearchEmailAddressesInput{InstanceID: in.InstanceID, MaxResults: in.MaxResults, NextToken: in.NextToken}
			if in.SearchCriteria != nil {
				q.SearchCriteria = searchCriteria(in.SearchCriteria)
			}
			if in.SearchFilter != nil && in.SearchFilter.TagFilter != nil {
				q.TagFilter = tagFilterOf(in.SearchFilter.TagFilter)
			}
			p, err := svc.SearchEmailAddresses(ctx, q)
			if err != nil {
				return nil, err
			}
			out := &searchEmailAddressesOutput{NextToken: p.NextToken, EmailAddresses: []emailAddressMetadata{}, ApproximateTotalCount: p.Total}
			for _, a := range p.Addresses {
				e := a.Address
				out.EmailAddresses = append(out.EmailAddresses, emailAddressMetadata{
					EmailAddressID: e.ID, EmailAddressARN: e.ARN, EmailAddress: e.Address,
					Description: e.Description, DisplayName: e.DisplayName, AliasConfigurations: aliasConfigurations(a.AliasIDs),
				})
			}
			return out, nil
		}),
		"UpdateEmailAddressMetadata": handle(m, "UpdateEmailAddressMetadata", func(ctx context.Context, c *Call, in *updateEmailAddressMetadataInput) (any, error) {
			r, err := svc.UpdateEmailAddressMetadata(ctx, &connect.UpdateEmailAddressMetadataInput{
				InstanceID: c.Labels["InstanceId"], EmailAddressID: c.Labels["EmailAddressId"],
				Description: in.Description, DisplayName: in.DisplayName,
			})
			return emailAddressRefOf(r, err)
		}),
		"DeleteEmailAddress": func(ctx context.Context, c *Call) (any, error) {
			return none(svc.DeleteEmailAddress(ctx, c.Labels["InstanceId"], c.Labels["EmailAddressId"]))
		},
		"CreateContact": handle(m, "CreateContact", func(ctx context.Context, _ *Call, in *createContactInput) (any, error) {
			tok := clientToken(in, &in.ClientToken)
			cc := &connect.CreateContactInput{
				InstanceID: in.InstanceID, ClientToken: tok, RelatedContactID: in.RelatedContactID,
				Attributes: in.Attributes, References: references(in.References), Channel: in.Channel,
				InitiationMethod: in.InitiationMethod, ExpiryDurationInMinutes: in.ExpiryDurationInMinutes,
				InitiateAs: in.InitiateAs, Name: in.Name, Description: in.Description,
				SegmentAttributes: segmentAttributes(in.SegmentAttributes), PreviousContactID: in.PreviousContactID,
			}
			if in.UserInfo != nil {
				cc.UserID = in.UserInfo.UserID
			}
			r, err := svc.CreateContact(ctx, cc)
			if err != nil {
				return nil, err
			}
			return &createContactOutput{ContactID: r.ID, ContactARN: r.ARN}, nil
		}),
		"DescribeContact": func(ctx context.Context, c *Call) (any, error) {
			ct, err := svc.DescribeContact(ctx, c.Labels["InstanceId"], c.Labels["ContactId"])
			if err != nil {
				return nil, err
			}
			return &describeContactOutput{Contact: contactData(ct)}, nil
		},
		"StopContact": handle(m, "StopContact", func(ctx context.Context, _ *Call, in *stopContactInput) (any, error) {
			st := &connect.StopContactInput{ContactID: in.ContactID, InstanceID: in.InstanceID}
			if in.DisconnectReason != nil {
				st.DisconnectReason = in.DisconnectReason.Code
			}
			return none(svc.StopContact(ctx, st))
		}),
		"StartOutboundEmailContact": handle(m, "StartOutboundEmailContact", func(ctx context.Context, _ *Call, in *startOutboundEmailContactInput) (any, error) {
			tok := clientToken(in, &in.ClientToken)
			so := &connect.StartOutboundEmailContactInput{
				InstanceID: in.InstanceID, ContactID: in.ContactID, DestinationEmailAddress: emailInfo(in.DestinationEmailAddress),
				EmailMessage: outboundContent(in.EmailMessage), ClientToken: tok,
			}
			if in.FromEmailAddress != nil {
				from := emailInfo(*in.FromEmailAddress)
				so.FromEmailAddress = &from
			}
			if in.AdditionalRecipients != nil {
				so.AdditionalRecipients = &connect.OutboundAdditionalRecipients{CcEmailAddresses: emailInfos(in.AdditionalRecipients.CcEmailAddresses)}
			}
			id, err := svc.StartOutboundEmailContact(ctx, so)
			if err != nil {
				return nil, err
			}
			return &startOutboundEmailContactOutput{ContactID: id}, nil
		}),
	}
	addEmailHandlers(h, svc, m)
	return &Service{Model: m, Handlers: h}
}

// addEmailHandlers adds the handlers of the email operations beyond the
// spine. Operations without an output answer an empty object.
func addEmailHandlers(h map[string]Handler, svc *connect.Service, m *apimodel.Service) {
	h["StartEmailContact"] = handle(m, "StartEmailContact", func(ctx context.Context, _ *Call, in *startEmailContactInput) (any, error) {
		tok := clientToken(in, &in.ClientToken)
		se := &connect.StartEmailContactInput{
			InstanceID: in.InstanceID, FromEmailAddress: emailInfo(in.FromEmailAddress), DestinationEmailAddress: in.DestinationEmailAddress,
			Description: in.Description, References: references(in.References), Name: in.Name,
			EmailMessage:  connect.InboundEmailContent{MessageSourceType: in.EmailMessage.MessageSourceType},
			ContactFlowID: in.ContactFlowID, RelatedContactID: in.RelatedContactID, Attributes: in.Attributes,
			SegmentAttributes: segmentAttributes(in.SegmentAttributes), ClientToken: tok,
		}
		if rm := in.EmailMessage.RawMessage; rm != nil {
			se.EmailMessage.RawMessage = &connect.InboundRawMessage{Subject: rm.Subject, Body: rm.Body, ContentType: rm.ContentType, Headers: rm.Headers}
		}
		if ar := in.AdditionalRecipients; ar != nil {
			se.AdditionalRecipients = &connect.InboundAdditionalRecipients{ToAddresses: emailInfos(ar.ToAddresses), CcAddresses: emailInfos(ar.CcAddresses)}
		}
		for _, a := range in.Attachments {
			se.Attachments = append(se.Attachments, connect.EmailAttachment{FileName: a.FileName, S3Url: a.S3Url})
		}
		id, err := svc.StartEmailContact(ctx, se)
		if err != nil {
			return nil, err
		}
		return &startEmailContactOutput{ContactID: id}, nil
	})
	h["SendOutboundEmail"] = handle(m, "SendOutboundEmail", func(ctx context.Context, _ *Call, in *sendOutboundEmailInput) (any, error) {
		tok := clientToken(in, &in.ClientToken)
		so := &connect.SendOutboundEmailInput{
			InstanceID: in.InstanceID, FromEmailAddress: emailInfo(in.FromEmailAddress), DestinationEmailAddress: emailInfo(in.DestinationEmailAddress),
			EmailMessage: outboundContent(in.EmailMessage), TrafficType: in.TrafficType, ClientToken: tok,
		}
		if in.AdditionalRecipients != nil {
			so.AdditionalRecipients = &connect.OutboundAdditionalRecipients{CcEmailAddresses: emailInfos(in.AdditionalRecipients.CcEmailAddresses)}
		}
		if sc := in.SourceCampaign; sc != nil {
			so.SourceCampaign = &connect.SourceCampaign{CampaignID: sc.CampaignID, OutboundRequestID: sc.OutboundRequestID}
		}
		return none(svc.SendOutboundEmail(ctx, so))
	})
	alias := func(ctx context.Context, in *emailAddressAliasInput) *connect.EmailAddressAliasInput {
		tok := clientToken(in, &in.ClientToken)
		return &connect.EmailAddressAliasInput{InstanceID: in.InstanceID, EmailAddressID: in.EmailAddressID,
			AliasID: in.AliasConfiguration.EmailAddressID, ClientToken: tok}
	}
	h["AssociateEmailAddressAlias"] = handle(m, "AssociateEmailAddressAlias", func(ctx context.Context, _ *Call, in *emailAddressAliasInput) (any, error) {
		return none(svc.AssociateEmailAddressAlias(ctx, alias(ctx, in)))
	})
	h["DisassociateEmailAddressAlias"] = handle(m, "DisassociateEmailAddressAlias", func(ctx context.Context, _ *Call, in *emailAddressAliasInput) (any, error) {
		return none(svc.DisassociateEmailAddressAlias(ctx, alias(ctx, in)))
	})
	h["GetContactAttributes"] = func(ctx context.Context, c *Call) (any, error) {
		attrs, err := svc.GetContactAttributes(ctx, c.Labels["InstanceId"], c.Labels["InitialContactId"])
		if err != nil {
			return nil, err
		}
		return &getContactAttributesOutput{Attributes: attrs}, nil
	}
	h["UpdateContactAttributes"] = handle(m, "UpdateContactAttributes", func(ctx context.Context, _ *Call, in *updateContactAttributesInput) (any, error) {
		return none(svc.UpdateContactAttributes(ctx, &connect.UpdateContactAttributesInput{
			InitialContactID: in.InitialContactID, InstanceID: in.InstanceID, Attributes: in.Attributes}))
	})
	h["ListContactReferences"] = handle(m, "ListContactReferences", func(ctx context.Context, _ *Call, in *listContactReferencesInput) (any, error) {
		p, err := svc.ListContactReferences(ctx, &connect.ListContactReferencesInput{
			InstanceID: in.InstanceID, ContactID: in.ContactID, ReferenceTypes: in.ReferenceTypes, NextToken: in.NextToken})
		if err != nil {
			return nil, err
		}
		out := &listContactReferencesOutput{ReferenceSummaryList: []referenceSummary{}, NextToken: p.NextToken}
		for _, r := range p.References {
			out.ReferenceSummaryList = append(out.ReferenceSummaryList, referenceSummaryOf(r))
		}
		return out, nil
	})
	h["StartAttachedFileUpload"] = handle(m, "StartAttachedFileUpload", func(ctx context.Context, _ *Call, in *startAttachedFileUploadInput) (any, error) {
		tok := clientToken(in, &in.ClientToken)
		su := &connect.StartAttachedFileUploadInput{
			InstanceID: in.InstanceID, ClientToken: tok, FileName: in.FileName, FileSizeInBytes: in.FileSizeInBytes,
			URLExpiryInSeconds: in.URLExpiryInSeconds, FileUseCaseType: in.FileUseCaseType,
			AssociatedResourceArn: in.AssociatedResourceArn, Tags: in.Tags,
		}
		if cb := in.CreatedBy; cb != nil {
			su.CreatedBy = &connect.CreatedByInfo{ConnectUserArn: cb.ConnectUserArn, AWSIdentityArn: cb.AWSIdentityArn}
		}
		r, err := svc.StartAttachedFileUpload(ctx, su)
		if err != nil {
			return nil, err
		}
		return &startAttachedFileUploadOutput{
			FileArn: r.FileArn, FileID: r.FileID, CreationTime: isoTime(r.CreationTime), FileStatus: r.FileStatus,
			CreatedBy: createdBy(r.CreatedBy), UploadURLMetadata: urlMetadataOf(r.UploadURLMetadata),
		}, nil
	})
	h["CompleteAttachedFileUpload"] = handle(m, "CompleteAttachedFileUpload", func(ctx context.Context, _ *Call, in *completeAttachedFileUploadInput) (any, error) {
		return none(svc.CompleteAttachedFileUpload(ctx, &connect.AttachedFileInput{
			InstanceID: in.InstanceID, FileID: in.FileID, AssociatedResourceArn: in.AssociatedResourceArn}))
	})
	h["GetAttachedFile"] = handle(m, "GetAttachedFile", func(ctx context.Context, _ *Call, in *getAttachedFileInput) (any, error) {
		f, u, err := svc.GetAttachedFile(ctx, &connect.AttachedFileInput{InstanceID: in.InstanceID, FileID: in.FileID,
			AssociatedResourceArn: in.AssociatedResourceArn, URLExpiryInSeconds: in.URLExpiryInSeconds})
		if err != nil {
			return nil, err
		}
		out := &getAttachedFileOutput{
			FileArn: f.ARN, FileID: f.ID, CreationTime: isoTime(f.CreatedAt), FileStatus: f.Status, FileName: f.Name,
			FileSizeInBytes: f.Size, AssociatedResourceArn: f.AssociatedResourceARN, FileUseCaseType: f.UseCase, Tags: f.Tags,
			DownloadURLMetadata: urlMetadataOf(u),
		}
		if f.CreatedBy != (connect.CreatedByInfo{}) {
			out.CreatedBy = createdBy(&f.CreatedBy)
		}
		return out, nil
	})
	h["TagResource"] = handle(m, "TagResource", func(ctx context.Context, _ *Call, in *tagResourceInput) (any, error) {
		return none(svc.TagResource(ctx, &connect.TagResourceInput{ResourceArn: in.ResourceArn, Tags: in.Tags}))
	})
	h["UntagResource"] = handle(m, "UntagResource", func(ctx context.Context, _ *Call, in *untagResourceInput) (any, error) {
		return none(svc.UntagResource(ctx, &connect.UntagResourceInput{ResourceArn: in.ResourceArn, TagKeys: in.TagKeys}))
	})
	h["ListTagsForResource"] = func(ctx context.Context, c *Call) (any, error) {
		tags, err := svc.ListTagsForResource(ctx, c.Labels["resourceArn"])
		if err != nil {
			return nil, err
		}
		return &listTagsForResourceOutput{Tags: tags}, nil
	}
	h["AssociateQueueEmailAddresses"] = handle(m, "AssociateQueueEmailAddresses", func(ctx context.Context, _ *Call, in *associateQueueEmailAddressesInput) (any, error) {
		ids := make([]string, 0, len(in.EmailAddressesConfig))
		for _, c := range in.EmailAddressesConfig {
			ids = append(ids, c.EmailAddressID)
		}
		return none(svc.AssociateQueueEmailAddresses(ctx, &connect.QueueEmailAddressesInput{InstanceID: in.InstanceID, QueueID: in.QueueID, EmailAddressesID: ids}))
	})
	h["DisassociateQueueEmailAddresses"] = handle(m, "DisassociateQueueEmailAddresses", func(ctx context.Context, _ *Call, in *disassociateQueueEmailAddressesInput) (any, error) {
		return none(svc.DisassociateQueueEmailAddresses(ctx, &connect.QueueEmailAddressesInput{InstanceID: in.InstanceID, QueueID: in.QueueID, EmailAddressesID: in.EmailAddressesID}))
	})
	h["ListQueueEmailAddresses"] = handle(m, "ListQueueEmailAddresses", func(ctx context.Context, _ *Call, in *listQueueEmailAddressesInput) (any, error) {
		p, err := svc.ListQueueEmailAddresses(ctx, &connect.ListQueueEmailAddressesInput{
			InstanceID: in.InstanceID, QueueID: in.QueueID, NextToken: in.NextToken, MaxResults: in.MaxResults})
		if err != nil {
			return nil, err
		}
		out := &listQueueEmailAddressesOutput{NextToken: p.NextToken, EmailAddressMetadataList: []emailAddressSummary{}, LastModifiedRegion: p.LastModifiedRegion}
		for _, a := range p.Addresses {
			out.EmailAddressMetadataList = append(out.EmailAddressMetadataList, emailAddressSummary{ID: a.ID, ARN: a.ARN, IsDefaultOutboundEmail: a.IsDefault})
		}
		if p.LastModified != nil {
			t := epochSeconds(*p.LastModified)
			out.LastModifiedTime = &t
		}
		return out, nil
	})
	h["UpdateQueueOutboundEmailConfig"] = handle(m, "UpdateQueueOutboundEmailConfig", func(ctx context.Context, _ *Call, in *updateQueueOutboundEmailConfigInput) (any, error) {
		return none(svc.UpdateQueueOutboundEmailConfig(ctx, &connect.UpdateQueueOutboundEmailConfigInput{
			InstanceID: in.InstanceID, QueueID: in.QueueID, OutboundEmailAddressID: in.OutboundEmailConfig.OutboundEmailAddressID}))
	})
}

// clientToken takes the client token out of the request req (tok points
// into it) and returns it with the wire encoding of the request without
// it, by which the service tells a retry from another request.
func clientToken(req any, tok *string) connect.ClientToken {
	t := *tok
	if t == "" {
		return connect.ClientToken{}
	}
	*tok = ""
	b, _ := json.Marshal(req)
	return connect.ClientToken{Token: t, Request: b}
}

func instanceData(in *connect.Instance) instanceView {
	alias := in.Alias
	if alias == "" {
		alias = in.ID
	}
	return instanceView{
		ID: in.ID, ARN: in.ARN, IdentityManagementType: in.IdentityManagementType,
		InstanceAlias: in.Alias, CreatedTime: epochSeconds(in.CreatedAt), InstanceStatus: in.Status,
		InboundCallsEnabled: in.InboundCallsEnabled, OutboundCallsEnabled: in.OutboundCallsEnabled,
		ServiceRole:       strings.Replace(in.ARN, ":instance/", ":role/", 1),
		InstanceAccessURL: "https://" + alias + ".my.connect.aws",
		Tags:              in.Tags,
	}
}

func emailAddressRefOf(r *connect.Created, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return &emailAddressRef{EmailAddressID: r.ID, EmailAddressARN: r.ARN}, nil
}

func aliasConfigurations(ids []string) []aliasConfiguration {
	out := make([]aliasConfiguration, 0, len(ids))
	for _, id := range ids {
		out = append(out, aliasConfiguration{EmailAddressID: id})
	}
	return out
}

func searchCriteria(c *emailAddressSearchCriteria) *connect.EmailAddressSearchCriteria {
	out := &connect.EmailAddressSearchCriteria{}
	for i := range c.OrConditions {
		out.OrConditions = append(out.OrConditions, *searchCriteria(&c.OrConditions[i]))
	}
	for i := range c.AndConditions {
		out.AndConditions = append(out.AndConditions, *searchCriteria(&c.AndConditions[i]))
	}
	if sc := c.StringCondition; sc != nil {
		out.StringCondition = &connect.StringCondition{FieldName: sc.FieldName, Value: sc.Value, ComparisonType: sc.ComparisonType}
	}
	return out
}

func tagFilterOf(f *tagFilter) *connect.TagFilter {
	cond := func(c tagCondition) connect.TagCondition {
		return connect.TagCondition{TagKey: c.TagKey, TagValue: c.TagValue}
	}
	out := &connect.TagFilter{}
	for _, group := range f.OrConditions {
		g := make([]connect.TagCondition, 0, len(group))
		for _, c := range group {
			g = append(g, cond(c))
		}
		out.OrConditions = append(out.OrConditions, g)
	}
	for _, c := range f.AndConditions {
		out.AndConditions = append(out.AndConditions, cond(c))
	}
	if f.TagCondition != nil {
		c := cond(*f.TagCondition)
		out.TagCondition = &c
	}
	return out
}

func references(refs map[string]reference) map[string]connect.Reference {
	if refs == nil {
		return nil
	}
	out := make(map[string]connect.Reference, len(refs))
	for k, r := range refs {
		out[k] = connect.Reference{Value: r.Value, Type: r.Type, Status: r.Status, ARN: r.Arn, StatusReason: r.StatusReason}
	}
	return out
}

func emailInfo(e emailAddressInfo) connect.EmailAddressInfo {
	return connect.EmailAddressInfo{EmailAddress: e.EmailAddress, DisplayName: e.DisplayName}
}

func emailInfos(list []emailAddressInfo) []connect.EmailAddressInfo {
	if list == nil {
		return nil
	}
	out := make([]connect.EmailAddressInfo, len(list))
	for i, e := range list {
		out[i] = emailInfo(e)
	}
	return out
}

func outboundContent(c outboundEmailContent) connect.OutboundEmailContent {
	out := connect.OutboundEmailContent{MessageSourceType: c.MessageSourceType}
	if rm := c.RawMessage; rm != nil {
		out.RawMessage = &connect.OutboundRawMessage{Subject: rm.Subject, Body: rm.Body, ContentType: rm.ContentType}
	}
	if tc := c.TemplatedMessageConfig; tc != nil {
		out.TemplatedMessageConfig = &connect.TemplatedMessageConfig{
			KnowledgeBaseID: tc.KnowledgeBaseID, MessageTemplateID: tc.MessageTemplateID,
			TemplateAttributes: connect.TemplateAttributes{
				CustomAttributes:          tc.TemplateAttributes.CustomAttributes,
				CustomerProfileAttributes: tc.TemplateAttributes.CustomerProfileAttributes,
			},
		}
	}
	return out
}

// contactData is the Contact shape of a contact. An inbound contact's
// customer wrote from From to To; an outbound one's is To.
func contactData(c *connect.Contact) contactView {
	v := contactView{
		ARN: c.ARN, ID: c.ID, InitiationMethod: c.InitiationMethod, Channel: c.Channel,
		Name: c.Name, Description: c.Description, RelatedContactID: c.RelatedContactID,
		PreviousContactID: c.PreviousContactID, InitialContactID: c.InitialContactID,
		ContactAssociationID: c.InitialContactID,
		InitiationTimestamp:  epochSeconds(c.InitiatedAt), LastUpdateTimestamp: epochSeconds(c.UpdatedAt),
		DisconnectReason: c.DisconnectReason, Attributes: c.Attributes, Tags: c.Tags,
	}
	if c.AgentID != "" {
		v.AgentInfo = &struct {
			ID string `json:"Id"`
		}{c.AgentID}
	}
	if !c.DisconnectedAt.IsZero() {
		t := epochSeconds(c.DisconnectedAt)
		v.DisconnectTimestamp = &t
	}
	if c.To.Address != "" {
		v.CustomerEndpoint = &endpointInfo{Type: "EMAIL_ADDRESS", Address: c.To.Address, DisplayName: c.To.DisplayName}
	}
	if c.From.Address != "" {
		v.SystemEndpoint = &endpointInfo{Type: "EMAIL_ADDRESS", Address: c.From.Address, DisplayName: c.From.DisplayName}
	}
	inbound := c.Inbound()
	if inbound {
		// Inbound: the customer wrote from From to To.
		v.CustomerEndpoint, v.SystemEndpoint = v.SystemEndpoint, v.CustomerEndpoint
	}
	if len(c.Cc) > 0 || len(c.ToList) > 0 {
		r := &additionalEmailRecipients{}
		for _, e := range c.ToList {
			r.ToList = append(r.ToList, emailRecipient{Address: e.Address, DisplayName: e.DisplayName})
		}
		for _, e := range c.Cc {
			r.CcList = append(r.CcList, emailRecipient{Address: e.Address, DisplayName: e.DisplayName})
		}
		v.AdditionalEmailRecipients = r
	}
	seg := make(map[string]segmentAttributeValue, len(c.SegmentAttributes)+3)
	for k, sv := range c.SegmentAttributes {
		seg[k] = segmentValueOf(sv)
	}
	str := func(s string) segmentAttributeValue { return segmentAttributeValue{ValueString: &s} }
	if _, ok := seg["connect:Subtype"]; !ok {
		seg["connect:Subtype"] = str("connect:Email")
	}
	if inbound {
		seg["connect:Direction"] = str("INBOUND")
	} else {
		seg["connect:Direction"] = str("OUTBOUND")
	}
	if c.Subject != "" {
		seg["connect:EmailSubject"] = str(c.Subject)
	}
	v.SegmentAttributes = seg
	return v
}

// segmentAttributes maps the SegmentAttributes of a request.
func segmentAttributes(seg map[string]segmentAttributeValue) map[string]connect.SegmentAttributeValue {
	if seg == nil {
		return nil
	}
	out := make(map[string]connect.SegmentAttributeValue, len(seg))
	for k, v := range seg {
		out[k] = segmentValue(v)
	}
	return out
}

func segmentValue(v segmentAttributeValue) connect.SegmentAttributeValue {
	out := connect.SegmentAttributeValue{String: v.ValueString, Integer: v.ValueInteger, ARN: v.ValueArn}
	if v.ValueMap != nil {
		out.Map = segmentAttributes(v.ValueMap)
	}
	if v.ValueList != nil {
		out.List = make([]connect.SegmentAttributeValue, len(v.ValueList))
		for i, e := range v.ValueList {
			out.List[i] = segmentValue(e)
		}
	}
	return out
}

func segmentValueOf(v connect.SegmentAttributeValue) segmentAttributeValue {
	out := segmentAttributeValue{ValueString: v.String, ValueInteger: v.Integer, ValueArn: v.ARN}
	if v.Map != nil {
		out.ValueMap = make(map[string]segmentAttributeValue, len(v.Map))
		for k, e := range v.Map {
			out.ValueMap[k] = segmentValueOf(e)
		}
	}
	if v.List != nil {
		out.ValueList = make([]segmentAttributeValue, len(v.List))
		for i, e := range v.List {
			out.ValueList[i] = segmentValueOf(e)
		}
	}
	return out
}

// referenceSummaryOf puts a reference into the ReferenceSummary union member of its type.
func referenceSummaryOf(r connect.ReferenceSummary) referenceSummary {
	item := &referenceSummaryItem{Name: r.Name, Value: r.Value, Status: r.Status, Arn: r.ARN}
	var rs referenceSummary
	switch r.Type {
	case "URL":
		rs.URL = item
	case "ATTACHMENT":
		rs.Attachment = item
	case "EMAIL_MESSAGE":
		rs.EmailMessage = item
	case "NUMBER":
		rs.Number = item
	case "STRING":
		rs.String = item
	case "DATE":
		rs.Date = item
	case "EMAIL":
		rs.Email = item
	}
	return rs
}

func createdBy(cb *connect.CreatedByInfo) *createdByInfo {
	if cb == nil {
		return nil
	}
	return &createdByInfo{ConnectUserArn: cb.ConnectUserArn, AWSIdentityArn: cb.AWSIdentityArn}
}

func urlMetadataOf(u *connect.PresignedURL) *urlMetadata {
	if u == nil {
		return nil
	}
	return &urlMetadata{URL: u.URL, URLExpiry: isoTime(u.URLExpiry), HeadersToInclude: u.HeadersToInclude}
}
