package webhook

import (
	"errors"
	"testing"
	"time"
)

func TestDialControlRefusesNonPublicAddresses(t *testing.T) {
	refused := []string{
		"10.0.0.1:443", "10.255.255.255:443", "172.16.0.1:443", "172.31.255.1:443",
		"192.168.0.1:443", "192.168.255.254:8443",
		"127.0.0.1:443", "127.1.2.3:443",
		"169.254.169.254:80", "169.254.0.1:443",
		"0.0.0.0:443", "0.1.2.3:443",
		"100.64.0.1:443", "100.127.255.254:443",
		"224.0.0.1:443", "239.255.255.250:443", "255.255.255.255:443", "240.0.0.1:443",
		"192.0.0.8:443", "192.0.2.1:443", "198.18.0.1:443", "198.51.100.7:443", "203.0.113.9:443",
		"[::1]:443", "[::]:443",
		"[fc00::1]:443", "[fd12:3456:789a::1]:443",
		"[fe80::1]:443", "[fe80::1%eth0]:443", "[fec0::1]:443",
		"[ff02::1]:443",
		"[::ffff:10.0.0.1]:443", "[::ffff:127.0.0.1]:443", "[::ffff:169.254.169.254]:443", "[::ffff:100.64.0.1]:443",
		"[64:ff9b::a00:1]:443", "[::a00:1]:443", "[2002:a00:1::1]:443",
		"[2001::1]:443", "[2001:db8::1]:443", "[100::1]:443",
	}
	for _, addr := range refused {
		network := "tcp4"
		if addr[0] == '[' {
			network = "tcp6"
		}
		if err := control(false)(network, addr, nil); !errors.Is(err, ErrAddressRefused) {
			t.Errorf("dial %s: err = %v, want ErrAddressRefused", addr, err)
		}
	}
}

func TestDialControlAllowsPublicAddresses(t *testing.T) {
	public := []string{
		"93.184.215.14:443", "1.1.1.1:443", "8.8.8.8:8443",
		"100.63.255.255:443", "100.128.0.1:443", "172.32.0.1:443", "192.169.0.1:443",
		"[2606:4700:4700::1111]:443", "[2a00:1450:4001:82b::200e]:443", "[::ffff:8.8.8.8]:443",
	}
	for _, addr := range public {
		network := "tcp4"
		if addr[0] == '[' {
			network = "tcp6"
		}
		if err := control(false)(network, addr, nil); err != nil {
			t.Errorf("dial %s: %v, want allowed", addr, err)
		}
	}
}

func TestDialControlLoopbackSwitch(t *testing.T) {
	tests := []struct {
		network, addr string
		allowed       bool
	}{
		{"tcp4", "127.0.0.1:443", true},
		{"tcp4", "127.9.9.9:443", true},
		{"tcp6", "[::1]:443", true},
		{"tcp6", "[::ffff:127.0.0.1]:443", true},
		// The switch is for loopback only.
		{"tcp4", "10.0.0.1:443", false},
		{"tcp4", "169.254.169.254:80", false},
		{"tcp4", "0.0.0.0:443", false},
		{"udp4", "127.0.0.1:443", false},
	}
	for _, tt := range tests {
		err := control(true)(tt.network, tt.addr, nil)
		if tt.allowed && err != nil {
			t.Errorf("with the switch, dial %s %s: %v, want allowed", tt.network, tt.addr, err)
		}
		if !tt.allowed && !errors.Is(err, ErrAddressRefused) {
			t.Errorf("with the switch, dial %s %s: err = %v, want ErrAddressRefused", tt.network, tt.addr, err)
		}
	}
}

func TestWorkerBackoff(t *testing.T) {
	tests := []struct {
		base    time.Duration
		attempt int
		want    time.Duration
	}{
		{30 * time.Second, 1, 30 * time.Second},
		{30 * time.Second, 2, time.Minute},
		{30 * time.Second, 3, 2 * time.Minute},
		{30 * time.Second, 5, 8 * time.Minute},
		{30 * time.Second, 11, 512 * time.Minute},
		{30 * time.Second, 12, maxBackoff},
		{30 * time.Second, 1000, maxBackoff},
		{time.Second, 1, time.Second},
		{time.Second, 3, 4 * time.Second},
	}
	for _, tt := range tests {
		if got := backoff(tt.base, tt.attempt); got != tt.want {
			t.Errorf("backoff(%v, %d) = %v, want %v", tt.base, tt.attempt, got, tt.want)
		}
	}
	if maxBackoff > 12*time.Hour {
		t.Errorf("maxBackoff = %v, above SQS's 12 h", maxBackoff)
	}
}
