package storetest

import (
	"testing"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

func testModifyTags(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	e := &connect.EmailAddress{ID: f.id("email"), ARN: "arn:e", InstanceID: in.ID, Address: "tags@example.com", CreatedAt: f.now, ModifiedAt: f.now}
	must(t, "CreateEmailAddress", f.s.CreateEmailAddress(f.ctx, e))
	c := f.contact(in.ID)
	file := &connect.File{ID: f.id("file"), ARN: "arn:f", InstanceID: in.ID, AssociatedResourceARN: c.ARN, Name: "a.pdf", Size: 3,
		UseCase: "ATTACHMENT", ContentType: "application/pdf", Status: connect.FileProcessing, CreatedAt: f.now}
	must(t, "CreateFile", f.s.CreateFile(f.ctx, file, connect.FileLimits{}, nil))
	for _, ref := range []connect.ResourceRef{
		{Type: connect.ResourceInstance, InstanceID: in.ID, ID: in.ID},
		{Type: connect.ResourceEmailAddress, InstanceID: in.ID, ID: e.ID},
		{Type: connect.ResourceFile, InstanceID: in.ID, ID: file.ID},
	} {
		must(t, "ModifyTags "+ref.Type, f.s.ModifyTags(f.ctx, ref, func(tags map[string]string) (map[string]string, error) {
			if tags == nil {
				tags = map[string]string{}
			}
			tags["added"] = ref.Type
			return tags, nil
		}))
		var got map[string]string
		switch ref.Type {
		case connect.ResourceInstance:
			x, err := f.s.GetInstance(f.ctx, in.ID)
			must(t, "GetInstance", err)
			got = x.Tags
			if got["team"] != "mail" {
				t.Fatalf("existing instance tags lost: %v", got)
			}
		case connect.ResourceEmailAddress:
			x, err := f.s.GetEmailAddress(f.ctx, in.ID, e.ID)
			must(t, "GetEmailAddress", err)
			got = x.Tags
		case connect.ResourceFile:
			x, err := f.s.GetFile(f.ctx, in.ID, file.ID)
			must(t, "GetFile", err)
			got = x.Tags
		}
		if got["added"] != ref.Type {
			t.Fatalf("%s tags: %v", ref.Type, got)
		}
		// Removing every tag leaves none.
		must(t, "ModifyTags to none", f.s.ModifyTags(f.ctx, ref, func(map[string]string) (map[string]string, error) { return nil, nil }))
		missing := ref
		missing.ID = "nope"
		wantKind(t, "ModifyTags of a missing "+ref.Type, f.s.ModifyTags(f.ctx, missing, func(m map[string]string) (map[string]string, error) { return m, nil }), fault.NotFound)
	}
	x, _ := f.s.GetInstance(f.ctx, in.ID)
	if len(x.Tags) != 0 {
		t.Fatalf("instance tags after removing all: %v", x.Tags)
	}
}
