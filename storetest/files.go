package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/connectmail/connectmail/connect"
	"github.com/connectmail/connectmail/fault"
)

func testFiles(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in, other := f.instance(), f.instance()
	c := f.contact(in.ID)
	mk := func(name string, size int64, at time.Time) *connect.File {
		return &connect.File{ID: f.id("file"), ARN: "arn:file:" + name, InstanceID: in.ID, AssociatedResourceARN: c.ARN,
			Name: name, Size: size, UseCase: "ATTACHMENT", ContentType: "text/plain", Status: connect.FileProcessing,
			CreatedAt: ms(at), CreatedBy: connect.CreatedByInfo{ConnectUserArn: "arn:user"}, Tags: map[string]string{"k": "v"}}
	}
	limits := connect.FileLimits{MaxCount: 3, MaxTotalBytes: 100}
	b1 := mk("b.txt", 10, f.now.Add(time.Second))
	a1 := mk("a.txt", 5, f.now)
	idem := &connect.Idem{Op: "StartAttachedFileUpload", Token: "tok", Hash: "h", Response: []byte(`{"FileId":"x"}`)}
	must(t, "CreateFile", f.s.CreateFile(f.ctx, b1, limits, idem))
	must(t, "CreateFile", f.s.CreateFile(f.ctx, a1, limits, nil))
	wantReplay(t, "CreateFile replay", f.s.CreateFile(f.ctx, mk("c.txt", 1, f.now), limits, &connect.Idem{Op: "StartAttachedFileUpload", Token: "tok", Hash: "h"}), idem.Response)

	got, err := f.s.GetFile(f.ctx, in.ID, b1.ID)
	must(t, "GetFile", err)
	same(t, "GetFile", got, b1)
	_, err = f.s.GetFile(f.ctx, other.ID, b1.ID)
	wantKind(t, "GetFile in another instance", err, fault.NotFound)
	list, err := f.s.ListFiles(f.ctx, in.ID, c.ARN)
	must(t, "ListFiles", err)
	same(t, "ListFiles (oldest first)", list, []*connect.File{a1, b1})
	if l, _ := f.s.ListFiles(f.ctx, in.ID, c.ARN+"x"); len(l) != 0 {
		t.Fatalf("ListFiles of another resource: %v", l)
	}

	// Limits: the total size, then the count.
	err = f.s.CreateFile(f.ctx, mk("big.txt", 86, f.now), limits, nil)
	wantKind(t, "CreateFile over the total size", err, fault.Quota)
	if !errors.Is(err, connect.ErrFilesTooLarge) {
		t.Fatalf("CreateFile over the total size: %v, want connect.ErrFilesTooLarge", err)
	}
	must(t, "CreateFile at the total size", f.s.CreateFile(f.ctx, mk("fits.txt", 85, f.now), limits, nil))
	err = f.s.CreateFile(f.ctx, mk("one-more.txt", 0, f.now), limits, nil)
	wantKind(t, "CreateFile over the count", err, fault.Quota)
	if !errors.Is(err, connect.ErrTooManyFiles) {
		t.Fatalf("CreateFile over the count: %v, want connect.ErrTooManyFiles", err)
	}

	// Data: absent until uploaded, replaceable while PROCESSING.
	_, err = f.s.FileData(f.ctx, in.ID, a1.ID)
	wantKind(t, "FileData before upload", err, fault.NotFound)
	must(t, "PutFileData", f.s.PutFileData(f.ctx, in.ID, a1.ID, []byte("first")))
	must(t, "PutFileData again", f.s.PutFileData(f.ctx, in.ID, a1.ID, []byte("hello")))
	data, err := f.s.FileData(f.ctx, in.ID, a1.ID)
	must(t, "FileData", err)
	if string(data) != "hello" {
		t.Fatalf("FileData %q", data)
	}
	got, _ = f.s.GetFile(f.ctx, in.ID, a1.ID)
	if !got.Uploaded {
		t.Fatal("Uploaded not set after PutFileData")
	}
	must(t, "empty upload", f.s.PutFileData(f.ctx, in.ID, b1.ID, nil))
	if data, err := f.s.FileData(f.ctx, in.ID, b1.ID); err != nil || len(data) != 0 {
		t.Fatalf("empty data: %q %v", data, err)
	}
	// Status moves are compare-and-set.
	must(t, "SetFileStatus", f.s.SetFileStatus(f.ctx, in.ID, a1.ID, connect.FileProcessing, connect.FileApproved))
	wantKind(t, "SetFileStatus from a stale status", f.s.SetFileStatus(f.ctx, in.ID, a1.ID, connect.FileProcessing, connect.FileApproved), fault.Conflict)
	wantKind(t, "SetFileStatus of a missing file", f.s.SetFileStatus(f.ctx, in.ID, "nope", connect.FileProcessing, connect.FileApproved), fault.NotFound)
	wantKind(t, "PutFileData after approval", f.s.PutFileData(f.ctx, in.ID, a1.ID, []byte("x")), fault.Conflict)
	wantKind(t, "PutFileData of a missing file", f.s.PutFileData(f.ctx, in.ID, "nope", []byte("x")), fault.NotFound)
	got, _ = f.s.GetFile(f.ctx, in.ID, a1.ID)
	if got.Status != connect.FileApproved {
		t.Fatalf("status %s", got.Status)
	}
	// Files go with their instance.
	must(t, "DeleteInstance", f.s.DeleteInstance(f.ctx, in.ID))
	if l, _ := f.s.ListFiles(f.ctx, in.ID, c.ARN); len(l) != 0 {
		t.Fatalf("files outlive their instance: %v", l)
	}
}

func testFilesQuotaConcurrent(t *testing.T, b Backend) {
	f := newFixture(t, b.Open(t))
	in := f.instance()
	c := f.contact(in.ID)
	limits := connect.FileLimits{MaxCount: 5}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok, quota int
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			file := &connect.File{ID: f.id("file"), ARN: "arn:f", InstanceID: in.ID, AssociatedResourceARN: c.ARN, Name: "a.txt", Size: 1,
				UseCase: "ATTACHMENT", Status: connect.FileProcessing, CreatedAt: f.now}
			err := f.s.CreateFile(f.ctx, file, limits, nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case fault.Is(err, fault.Quota):
				quota++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok != 5 || quota != 7 {
		t.Fatalf("%d created and %d refused, want 5 and 7", ok, quota)
	}
}
